using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Configuration;

/// <summary>
/// Against a scripted server that answers AddWatch the way a ZooKeeper 3.5 server answers an opcode it does not know
/// (error −6, then it closes the connection; the session survives): no 3.5 server is installed here to test with.
/// </summary>
public sealed class ConfigurationFallbackTests
{
    private const int AddWatchOp = 106;
    private const int GetDataOp = 4;
    private const int GetChildren2Op = 12;
    private const int ExistsOp = 3;
    private const int UnimplementedError = -6;

    [Fact]
    public async Task Auto_falls_back_to_per_node_watches_when_the_server_refuses_AddWatch_and_stays_live()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var tree = new ConcurrentDictionary<string, (string Data, long Mzxid, string[] Children)>
        {
            ["/app"] = (string.Empty, 1, ["A"]),
            ["/app/A"] = ("1", 2, []),
        };
        var requests = new ConcurrentQueue<(int Op, string? Path, bool Watch)>();
        var connections = new ConcurrentQueue<ScriptedConnection>();
        using var stop = new CancellationTokenSource();
        Task script = ServeAsync(server, tree, requests, connections, stop.Token);

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.AddSubtree("/app");
            o.StartupTimeout = TimeSpan.FromSeconds(20);
        }).Build();

        Assert.Equal("1", config["A"]);
        Assert.Single(requests, r => r.Op == AddWatchOp);
        Assert.Contains(requests, r => r.Op == GetChildren2Op && r.Path == "/app" && r.Watch);
        Assert.Contains(requests, r => r.Op == GetDataOp && r.Path == "/app/A" && r.Watch);
        Assert.Equal(ZooKeeperConfigurationState.Current, Assert.Single(config.GetZooKeeperProviders()).Status.State);

        // A one-shot data watch fires: the node is re-read (re-arming it) and the change served.
        using var reloads = new ReloadCounter(config);
        tree["/app/A"] = ("2", 3, []);
        Assert.True(connections.TryPeek(out _));
        ScriptedConnection current = connections.Last();
        await current.SendNotificationAsync(WatchEventType.NodeDataChanged, "/app/A");
        await reloads.UntilAsync(() => config["A"] == "2", "the re-read value is served");

        await stop.CancelAsync();
        await script;
    }

    [Fact]
    public async Task PersistentRecursive_mode_fails_a_required_load_with_a_clear_error_when_the_server_refuses_AddWatch()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var tree = new ConcurrentDictionary<string, (string Data, long Mzxid, string[] Children)> { ["/app"] = (string.Empty, 1, []) };
        using var stop = new CancellationTokenSource();
        Task script = ServeAsync(server, tree, new(), new(), stop.Token);

        var failure = Assert.Throws<ZooKeeperConfigurationException>(() => new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.AddSubtree("/app");
            o.WatchMode = ZooKeeperWatchMode.PersistentRecursive;
        }).Build());

        Assert.Equal(ZooKeeperConfigurationFailure.Refused, failure.Failure);
        Assert.Contains("ZooKeeper 3.6+", failure.Message);
        Assert.IsType<UnimplementedException>(failure.InnerException);
        await stop.CancelAsync();
        await script;
    }

    private static async Task ServeAsync(
        ScriptedZooKeeperServer server,
        ConcurrentDictionary<string, (string Data, long Mzxid, string[] Children)> tree,
        ConcurrentQueue<(int Op, string? Path, bool Watch)> requests,
        ConcurrentQueue<ScriptedConnection> connections,
        CancellationToken cancellationToken)
    {
        long zxid = 10;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ScriptedConnection connection = await server.AcceptAsync(cancellationToken);
                connections.Enqueue(connection);
                try
                {
                    await ServeConnectionAsync(connection, tree, requests, () => Interlocked.Increment(ref zxid), cancellationToken);
                }
                catch (Exception ex) when (ex is EndOfStreamException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    // A client may legally close a connection at any point, even before its handshake (a provider
                    // disposed while its client reconnects after the refused AddWatch): serve the next connection.
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task ServeConnectionAsync(
        ScriptedConnection connection,
        ConcurrentDictionary<string, (string Data, long Mzxid, string[] Children)> tree,
        ConcurrentQueue<(int Op, string? Path, bool Watch)> requests,
        Func<long> nextZxid,
        CancellationToken cancellationToken)
    {
        ScriptedConnectRequest hello = await connection.ReadConnectRequestAsync(cancellationToken);
        await connection.SendConnectResponseAsync(10_000, hello.SessionId != 0 ? hello.SessionId : 0x42, cancellationToken: cancellationToken);
        while (await connection.ReadRequestAnsweringPingsAsync(cancellationToken) is { } request)
        {
            string? path = request.OpCode is GetDataOp or GetChildren2Op or ExistsOp or AddWatchOp ? request.ReadPath() : null;
            bool watch = path is not null && request.OpCode != AddWatchOp && request.Body[^1] == 1;
            requests.Enqueue((request.OpCode, path, watch));
            long at = nextZxid();
            if (request.OpCode == AddWatchOp)
            {
                await connection.SendReplyAsync(request.Xid, at, UnimplementedError, cancellationToken: cancellationToken);
                connection.Close();
                break;
            }

            if (path is not null && !tree.ContainsKey(path))
            {
                await connection.SendReplyAsync(request.Xid, at, (int)ZooKeeperErrorCode.NoNode, cancellationToken: cancellationToken);
                continue;
            }

            switch (request.OpCode)
            {
                case GetDataOp:
                    (string data, long mzxid, string[] children) = tree[path!];
                    await connection.SendGetDataReplyAsync(request.Xid, at, Encoding.UTF8.GetBytes(data), StatOf(mzxid, data, children.Length), cancellationToken);
                    break;
                case GetChildren2Op:
                    await connection.SendReplyAsync(request.Xid, at, 0, ChildrenBody(tree[path!]), cancellationToken);
                    break;
                case ExistsOp:
                    await connection.SendReplyAsync(request.Xid, at, 0, StatBytes(tree[path!]), cancellationToken);
                    break;
                default:
                    await connection.SendReplyAsync(request.Xid, at, 0, cancellationToken: cancellationToken); // SetWatches, closeSession
                    break;
            }
        }
    }

    private static Stat StatOf(long mzxid, string data, int children) =>
        new(1, mzxid, 0, 0, (int)mzxid, 0, 0, 0, Encoding.UTF8.GetByteCount(data), children, 1);

    private static byte[] StatBytes((string Data, long Mzxid, string[] Children) node)
    {
        Stat stat = StatOf(node.Mzxid, node.Data, node.Children.Length);
        var bytes = new byte[68];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteInt64BigEndian(s[0..], stat.Czxid);
        BinaryPrimitives.WriteInt64BigEndian(s[8..], stat.Mzxid);
        BinaryPrimitives.WriteInt64BigEndian(s[16..], stat.Ctime);
        BinaryPrimitives.WriteInt64BigEndian(s[24..], stat.Mtime);
        BinaryPrimitives.WriteInt32BigEndian(s[32..], stat.Version);
        BinaryPrimitives.WriteInt32BigEndian(s[36..], stat.Cversion);
        BinaryPrimitives.WriteInt32BigEndian(s[40..], stat.Aversion);
        BinaryPrimitives.WriteInt64BigEndian(s[44..], stat.EphemeralOwner);
        BinaryPrimitives.WriteInt32BigEndian(s[52..], stat.DataLength);
        BinaryPrimitives.WriteInt32BigEndian(s[56..], stat.NumChildren);
        BinaryPrimitives.WriteInt64BigEndian(s[60..], stat.Pzxid);
        return bytes;
    }

    private static byte[] ChildrenBody((string Data, long Mzxid, string[] Children) node)
    {
        using var body = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, node.Children.Length);
        body.Write(number);
        foreach (string child in node.Children)
        {
            byte[] name = Encoding.UTF8.GetBytes(child);
            BinaryPrimitives.WriteInt32BigEndian(number, name.Length);
            body.Write(number);
            body.Write(name);
        }

        body.Write(StatBytes(node));
        return body.ToArray();
    }
}
