using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ZkTypedState.Testing;

/// <summary>
/// An in-process fake ZooKeeper server driven by a test script, built on the client's own codec (as Npgsql's
/// PgServerMock is). It provokes what a real server cannot be made to do on demand: malformed or truncated
/// frames, an oversize length prefix, a refused handshake, an expired-session answer, a reply that never comes.
/// </summary>
/// <example>
/// <code>
/// await using var server = ScriptedZooKeeperServer.Start();
/// var client = new ZooKeeperClient(new() { ConnectionString = server.ConnectionString });
/// await using var connection = await server.AcceptAsync();
/// await connection.ReadConnectRequestAsync();
/// await connection.SendConnectResponseAsync(timeoutMs: 4000, sessionId: 42);
/// </code>
/// </example>
public sealed class ScriptedZooKeeperServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Channel<ScriptedConnection> _accepted = Channel.CreateUnbounded<ScriptedConnection>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<ScriptedConnection> _connections = [];
    private int _acceptedCount;

    private ScriptedZooKeeperServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>Starts listening on a free loopback port.</summary>
    public static ScriptedZooKeeperServer Start() => new();

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port".</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref _acceptedCount);

    /// <summary>Waits for the next client connection.</summary>
    public async Task<ScriptedConnection> AcceptAsync(CancellationToken cancellationToken = default) =>
        await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (await _listener.AcceptOrNullAsync(cancellationToken).ConfigureAwait(false) is { } socket)
        {
            socket.NoDelay = true;
            var connection = new ScriptedConnection(socket);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            Interlocked.Increment(ref _acceptedCount);
            _accepted.Writer.TryWrite(connection);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        // Cancel the pending accept and let the loop end before stopping the listener: stopping first raced a loop that
        // was just restarting AcceptSocketAsync ("Not listening").
        _stop.Cancel();
        await _acceptLoop.ConfigureAwait(false);
        _listener.Stop();
        _accepted.Writer.TryComplete();
        ScriptedConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (ScriptedConnection connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
