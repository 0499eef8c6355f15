using System.Text;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Client.Watches;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Watches;

/// <summary>
/// The runtime's propagation path in the client: an internal watcher runs on the receive loop as the notification is
/// read, the re-read it issues is written by the receive loop, and its reply completes a callback — while user
/// watchers still go through the dispatcher.
/// </summary>
public sealed class ReceiveLoopWatcherTests
{
    private const int GetDataOp = 4;

    [Fact]
    public async Task An_internal_watcher_re_reads_while_the_dispatcher_is_blocked_and_the_re_read_is_written_by_the_receive_loop()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        (ZooKeeperClient client, ScriptedConnection connection) = await Scripted.ConnectAsync(server, timeoutMs: 30_000);
        await using (client)
        {
            var reads = new ReadRecorder();
            var watch = new InternalWatch(client, reads);

            // The internal read arms the internal watch on /a; a user read arms a user watch on /b that blocks the dispatcher.
            client.SubmitObservedRead("/a", exists: false, watch.Fire, reads);
            await AnswerGetDataAsync(connection, "/a", zxid: 10, "v1");
            Assert.Equal("v1", Encoding.UTF8.GetString((await reads.NextAsync()).Data!));

            using var release = new ManualResetEventSlim();
            var userFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<NodeData> user = client.GetDataAsync("/b", _ =>
            {
                userFired.TrySetResult();
                release.Wait(Timeouts.Event);
            });
            await AnswerGetDataAsync(connection, "/b", zxid: 11, "b");
            await user.WaitAsync(Timeouts.Event);
            await connection.SendNotificationAsync(WatchEventType.NodeDataChanged, "/b");
            await userFired.Task.WaitAsync(Timeouts.Event);

            // The dispatcher is stuck in the user watcher: the internal watch still fires, and its getData reaches the server.
            long writesBefore = client.ReceiveLoopWrites;
            await connection.SendNotificationAsync(WatchEventType.NodeDataChanged, "/a");
            await AnswerGetDataAsync(connection, "/a", zxid: 12, "v2");
            ObservedNode reread = await reads.NextAsync();
            Assert.Equal("v2", Encoding.UTF8.GetString(reread.Data!));
            Assert.Equal(12, reread.Stat!.Value.Mzxid);
            Assert.Equal(1, watch.Fired);
            Assert.True(client.ReceiveLoopWrites > writesBefore, "the re-read issued on the receive loop went through the write loop");
            release.Set();
        }
    }

    [Fact]
    public async Task An_internal_read_lost_with_its_connection_fails_its_callback_with_ConnectionLoss()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        (ZooKeeperClient client, ScriptedConnection connection) = await Scripted.ConnectAsync(server, timeoutMs: 30_000);
        await using (client)
        {
            var reads = new ReadRecorder();
            client.SubmitObservedRead("/a", exists: false, watcher: null, reads);
            ScriptedRequest? request = await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token());
            Assert.Equal(GetDataOp, request!.OpCode);
            connection.Close();

            Exception failure = await reads.NextFailureAsync();
            Assert.IsType<ConnectionLossException>(failure);
        }
    }

    private static async Task AnswerGetDataAsync(ScriptedConnection connection, string path, long zxid, string data)
    {
        ScriptedRequest? request = await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token());
        Assert.NotNull(request);
        Assert.Equal(GetDataOp, request.OpCode);
        Assert.Equal(path, request.ReadPath());
        byte[] bytes = Encoding.UTF8.GetBytes(data);
        await connection.SendGetDataReplyAsync(request.Xid, zxid, bytes, new Stat(1, zxid, 0, 0, 1, 0, 0, 0, bytes.Length, 0, 1));
    }

    /// <summary>An internal watch as the runtime's: on the receive loop, it only issues the re-read.</summary>
    private sealed class InternalWatch(ZooKeeperClient client, ReadRecorder reads) : IReceiveLoopWatcher
    {
        private int _fired;

        public int Fired => Volatile.Read(ref _fired);

        public void Fire(WatchedEvent e)
        {
            Interlocked.Increment(ref _fired);
            client.SubmitObservedRead(e.Path, exists: false, Fire, reads);
        }
    }

    private sealed class ReadRecorder : IObservedReadCallback
    {
        private readonly System.Threading.Channels.Channel<object> _outcomes = System.Threading.Channels.Channel.CreateUnbounded<object>();

        public void OnObserved(ObservedNode node) => _outcomes.Writer.TryWrite(node);

        public void OnFailed(Exception error) => _outcomes.Writer.TryWrite(error);

        public async Task<ObservedNode> NextAsync() =>
            Assert.IsType<ObservedNode>(await _outcomes.Reader.ReadAsync(Timeouts.Token()));

        public async Task<Exception> NextFailureAsync() =>
            Assert.IsAssignableFrom<Exception>(await _outcomes.Reader.ReadAsync(Timeouts.Token()));
    }
}
