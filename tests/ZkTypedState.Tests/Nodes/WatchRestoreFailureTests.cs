using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>A SetWatches error reply (which a real server gives only in rare cases) against a scripted server.</summary>
public sealed class WatchRestoreFailureTests
{
    private const int GetDataOp = 4;
    private const int SetWatchesOp = 101;
    private const int BadArguments = -8;

    [Fact]
    public async Task A_SetWatches_error_reply_does_not_leave_the_node_stale_it_is_re_read_and_resynced()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var options = new ZkTypedStateOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10) };
        await using var session = new ZooKeeperSession(options);
        await using var runtime = new ZNodeRuntime(session, options);
        const string path = "/scripted";
        ZNodeValue<Counter> node = runtime.Bind(Descriptors.Counter(path), path, "", []);
        var events = new NodeEvents<Counter>(node);
        session.Start();
        CancellationToken token = Timeouts.Token();

        await using (ScriptedConnection first = await server.AcceptAsync(token))
        {
            await first.ReadConnectRequestAsync(token);
            await first.SendConnectResponseAsync(10_000, 0x42, cancellationToken: token);
            ScriptedRequest read = (await first.ReadRequestAnsweringPingsAsync(token))!;
            Assert.Equal(GetDataOp, read.OpCode);
            await first.SendGetDataReplyAsync(read.Xid, 5, MachineJson(1), StatAt(5), token);
            await NodeEvents<Counter>.WaitUntilAsync(node, s => s is { Status: ZNodeStatus.Fresh, Value.Count: 1 });
        }

        await NodeEvents<Counter>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Stale);
        await using ScriptedConnection second = await server.AcceptAsync(token);
        ScriptedConnectRequest reattach = await second.ReadConnectRequestAsync(token);
        Assert.Equal(0x42, reattach.SessionId);
        await second.SendConnectResponseAsync(10_000, 0x42, cancellationToken: token);
        ScriptedRequest setWatches = (await second.ReadRequestAnsweringPingsAsync(token))!;
        Assert.Equal(SetWatchesOp, setWatches.OpCode);
        await second.SendReplyAsync(setWatches.Xid, 6, BadArguments, cancellationToken: token);

        // The watch may not be armed: the runtime must re-read (re-arming it) rather than wait for a change that never fires.
        ScriptedRequest reread = (await second.ReadRequestAnsweringPingsAsync(token))!;
        Assert.Equal(GetDataOp, reread.OpCode);
        await second.SendGetDataReplyAsync(reread.Xid, 9, MachineJson(2), StatAt(9), token);
        ZNodeSignal<Counter> resynced = await events.NextSignalAsync(ZNodeSignalKind.Resynced);

        Assert.Equal(ZNodeStatus.Fresh, resynced.Current.Status);
        Assert.Equal(2, resynced.Current.Value.Count);
    }

    private static byte[] MachineJson(int count) => RuntimeServerFixture.Json($$"""{"Count":{{count}}}""");

    private static Stat StatAt(long mzxid) => new(mzxid, mzxid, 0, 0, 0, 0, 0, 0, 0, 0, mzxid);
}
