using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>expiry</c>: from the load state with a 4000 ms session timeout, <c>blackhole</c> the proxy for longer than the
/// session timeout while K nodes change through --connect, then <c>restore</c>. A reader on its own thread polls the
/// K nodes' <c>Current</c> throughout and counts <c>stale_served</c>: reads returning a changed node's old content
/// (whatever its status) after the client knew of the loss (its first SessionLost or Invalidated observation).
/// <c>resync_ms</c>: restore until all K new values are held (Fresh, rev 1).
/// </summary>
public static class Expiry
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromMilliseconds(4000);
    private static readonly TimeSpan LossTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ResyncTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        await LoadedFamily.SetUpAsync(ctx);
        await using LoadedFamily loaded = await LoadedFamily.LoadAsync(ctx, SessionTimeout);
        Log.Info($"expiry: load state reached in {loaded.LoadMs:0} ms");
        int[] changed = ChangedNodes.Pick(ctx.N);
        IZNode<LoadValue>[] changedNodes = [.. changed.Select(i => loaded.Nodes[i])];
        ZooKeeperSession session = loaded.Client.Session;
        long firstSession = session.Client!.SessionId;

        var recorder = new EventRecorder();
        var lossKnown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long lossKnownAt = 0;
        void MarkLossKnown(string how)
        {
            long now = Clock.Now;
            if (lossKnown.TrySetResult())
            {
                Volatile.Write(ref lossKnownAt, now);
                recorder.Add("nodes", how);
            }
        }

        // Subscribed after the runtime's own handler (the runtime exists since the host started), so a Lost seen
        // here is seen after the runtime has invalidated the values.
        recorder.SessionChanged += e =>
        {
            if (e.Kind == SessionEventKind.Lost && lossKnown.TrySetResult())
            {
                Volatile.Write(ref lossKnownAt, Clock.Now);
            }
        };
        recorder.Attach(session);
        foreach (IZNode<LoadValue> node in changedNodes)
        {
            node.Signaled += s =>
            {
                if (s.Kind == ZNodeSignalKind.SessionLost)
                {
                    MarkLossKnown($"SessionLost signal ({s.Current.Status})");
                }
            };
        }

        using var stop = new CancellationTokenSource();
        var reader = new StaleReader(changedNodes, ctx.Run, lossKnown.Task, MarkLossKnown);
        var readerThread = new Thread(() => reader.Run(stop.Token)) { IsBackground = true, Name = "stale-reader" };
        readerThread.Start();
        using var waiter = new NodeWaiter<LoadValue>(changedNodes, s => ChangedNodes.HoldsNewValue(s, ctx.Run));

        await ctx.Control.ResetAsync(ctx.Token);
        recorder.StartClock();
        long blackholeAt = recorder.Zero;
        await ctx.Control.BlackholeAsync(ctx.Token);
        await ChangedNodes.ChangeAsync(ctx, changed);
        double changedMs = Clock.MsSince(blackholeAt);

        // Longer than the session timeout: until the client knows of the loss and at least 1.5 session timeouts
        // have passed, so the server has expired the session too.
        await Waits.WithinAsync(lossKnown.Task, LossTimeout, "the client under test to notice the session loss", ctx.Token);
        TimeSpan minimum = SessionTimeout * 1.5;
        double elapsedMs = Clock.MsSince(blackholeAt);
        if (elapsedMs < minimum.TotalMilliseconds)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(minimum.TotalMilliseconds - elapsedMs), ctx.Token);
        }

        long restoreAt = Clock.Now;
        await ctx.Control.RestoreAsync(ctx.Token);
        recorder.Add("runner", "restore");
        long heldAt = await Waits.WithinAsync(waiter.Completed, ResyncTimeout, $"the client to hold all {ChangedNodes.K} new values after restore ({waiter.SatisfiedCount} held)", ctx.Token);
        double resyncMs = Clock.Ms(restoreAt, heldAt);
        await Task.Delay(Settle, ctx.Token);
        var stats = await ctx.Control.StatsAsync(ctx.Token);
        stop.Cancel();
        readerThread.Join();

        loaded.Verify(ctx, i => Array.IndexOf(changed, i) >= 0 ? 1 : 0, "after the resync");
        if (session.Client?.SessionId == firstSession)
        {
            throw new BenchFailure($"the session 0x{firstSession:x} survived the blackhole: nothing expired, so the scenario measured nothing.");
        }

        Log.Info($"expiry: stale_served {reader.StaleServed} in {reader.Reads} reads ({reader.ReadsAfterLoss} after the loss was known); resync {resyncMs:0.0} ms; proxy stats {stats}");
        if (reader.StaleServed > 0)
        {
            long known = Volatile.Read(ref lossKnownAt);
            Log.Info($"expiry: stale reads from +{Clock.Ms(known, reader.FirstStaleAt):0.000} ms to +{Clock.Ms(known, reader.LastStaleAt):0.000} ms after the loss was known; statuses: {string.Join(", ", reader.StaleStatuses)}");
        }

        result.Json.WriteNumber("k", ChangedNodes.K);
        recorder.WriteTo(result.Json, "events");
        result.Number("stale_served", reader.StaleServed);
        result.Number("resync_ms", resyncMs);
        result.Raw("requests", stats);
        result.Json.WriteStartObject("marks");
        result.Number("blackhole_ms", 0);
        result.Number("changed_ms", changedMs);
        result.Number("restore_ms", Clock.Ms(blackholeAt, restoreAt));
        result.Number("held_ms", Clock.Ms(blackholeAt, heldAt));
        result.Json.WriteEndObject();
    }

    /// <summary>Polls the changed nodes' <c>Current</c> in a loop on its own thread, as an application's request path would.</summary>
    private sealed class StaleReader(IZNode<LoadValue>[] nodes, string run, Task lossKnown, Action<string> markLossKnown)
    {
        private long _staleServed;
        private long _reads;
        private long _readsAfterLoss;
        private readonly HashSet<ZNodeStatus> _staleStatuses = [];

        public long FirstStaleAt { get; private set; }

        public long LastStaleAt { get; private set; }

        public IReadOnlyCollection<ZNodeStatus> StaleStatuses => _staleStatuses;

        public long StaleServed => Interlocked.Read(ref _staleServed);

        public long Reads => Interlocked.Read(ref _reads);

        public long ReadsAfterLoss => Interlocked.Read(ref _readsAfterLoss);

        public void Run(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                // The flag is read before the snapshots: a snapshot read after the loss was known is judged by it.
                bool known = lossKnown.IsCompleted;
                foreach (IZNode<LoadValue> node in nodes)
                {
                    ZNodeSnapshot<LoadValue> s = node.Current;
                    _reads++;
                    if (!known && s.Status == ZNodeStatus.Invalidated)
                    {
                        markLossKnown("reader saw Invalidated");
                        known = true;
                        continue;
                    }

                    if (!known)
                    {
                        continue;
                    }

                    _readsAfterLoss++;
                    if (s.Value.Run == run && s.Value.Rev == 0)
                    {
                        LastStaleAt = Clock.Now;
                        _staleStatuses.Add(s.Status);
                        if (++_staleServed == 1)
                        {
                            FirstStaleAt = LastStaleAt;
                            Log.Info($"expiry: STALE read of {node.Path}: status {s.Status}, rev {s.Value.Rev}, epoch {s.SessionEpoch}");
                        }
                    }
                }

                Thread.Yield();
            }
        }
    }
}
