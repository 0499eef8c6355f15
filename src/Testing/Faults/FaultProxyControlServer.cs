using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ZkTypedState.Testing;

/// <summary>
/// The line-based TCP control port of a <see cref="FaultProxy"/> (see <see cref="FaultProxy.StartControlServerAsync"/>).
/// </summary>
internal sealed class FaultProxyControlServer : IAsyncDisposable
{
    private readonly FaultProxy proxy;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop;
    private readonly ConcurrentDictionary<Task, bool> sessions = new();
    private readonly ConcurrentDictionary<Socket, bool> clients = new();
    private Task acceptLoop = Task.CompletedTask;

    private FaultProxyControlServer(FaultProxy proxy, CancellationToken shutdown)
    {
        this.proxy = proxy;
        listener = new TcpListener(IPAddress.Loopback, 0);
        stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
    }

    /// <summary>The control port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    public static FaultProxyControlServer Start(FaultProxy proxy, CancellationToken shutdown)
    {
        var server = new FaultProxyControlServer(proxy, shutdown);
        server.listener.Start();
        server.Port = ((IPEndPoint)server.listener.LocalEndpoint).Port;
        server.acceptLoop = Task.Run(server.AcceptLoopAsync, CancellationToken.None);
        return server;
    }

    /// <summary>Executes one command line and returns the one-line reply (without newline).</summary>
    public static string Execute(FaultProxy proxy, string line)
    {
        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return "error empty command";
        }

        var command = parts[0].ToLowerInvariant();
        try
        {
            switch (command)
            {
                case "cut" when parts.Length == 1:
                    proxy.Cut();
                    return "ok";
                case "blackhole" when parts.Length == 1:
                    proxy.Blackhole();
                    return "ok";
                case "restore" when parts.Length == 1:
                    proxy.Restore();
                    return "ok";
                case "reset" when parts.Length == 1:
                    proxy.ResetCounters();
                    return "ok";
                case "mode" when parts.Length == 1:
                    return ModeName(proxy.Mode);
                case "stats" when parts.Length == 1:
                    return Stats(proxy);
                case "delay" when parts.Length == 2:
                    if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
                    {
                        return "error delay needs a non-negative number of milliseconds";
                    }

                    proxy.Delay = TimeSpan.FromMilliseconds(milliseconds);
                    return "ok";
                default:
                    return $"error unknown command '{line.Trim()}' (expected cut, blackhole, restore, stats, reset, mode or delay MS)";
            }
        }
        catch (ObjectDisposedException)
        {
            return "error proxy disposed";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        foreach (var client in clients.Keys)
        {
            FaultProxyConnection.CloseQuietly(client);
        }

        await acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(sessions.Keys).ConfigureAwait(false);
        stop.Dispose();
    }

    private static string ModeName(FaultMode mode) => mode switch
    {
        FaultMode.Forward => "forward",
        FaultMode.Cut => "cut",
        FaultMode.Blackhole => "blackhole",
        _ => mode.ToString().ToLowerInvariant(),
    };

    private static string Stats(FaultProxy proxy)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("connect", proxy.ConnectRequests);
            json.WriteStartObject("ops");
            foreach (var (opcode, count) in proxy.GetRequestCounts().OrderBy(pair => pair.Key))
            {
                json.WriteNumber(opcode.ToString(CultureInfo.InvariantCulture), count);
            }

            json.WriteEndObject();
            json.WriteNumber("active", proxy.ActiveConnections);
            json.WriteString("mode", ModeName(proxy.Mode));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private async Task AcceptLoopAsync()
    {
        var token = stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket? client = await listener.AcceptOrNullAsync(token).ConfigureAwait(false);
            if (client is null)
            {
                return;
            }

            clients.TryAdd(client, true);
            var session = ServeAsync(client, token);
            sessions.TryAdd(session, true);
            _ = session.ContinueWith(
                finished =>
                {
                    sessions.TryRemove(finished, out _);
                    clients.TryRemove(client, out _);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken token)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
            while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } line)
            {
                await writer.WriteLineAsync(Execute(proxy, line).AsMemory(), token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Client went away or the proxy is shutting down.
        }
    }
}
