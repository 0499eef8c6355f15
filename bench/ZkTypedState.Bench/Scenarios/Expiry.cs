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

    // The peers' constants: the writer changes the K nodes 500 ms into the blackhole, which lasts 9000 ms (more than
    // the 4 s session timeout + a 2 s server tick + the Java client's 2.7 s read timeout).
    private static readonly TimeSpan ChangeAt = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan BlackholeFor = TimeSpan.FromMilliseconds(9000);

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
        using var freshWaiter = new NodeWaiter<LoadValue>(changedNodes, s => ChangedNodes.HoldsNewValueFresh(s, ctx.Run));

        await Task.Delay(Settle, ctx.Token);
        await ctx.Control.ResetAsync(ctx.Token);
        recorder.StartClock();
        long blackholeAt = recorder.Zero;
        await ctx.Control.BlackholeAsync(ctx.Token);
        await Task.Delay(ChangeAt, ctx.Token);
        await ChangedNodes.ChangeAsync(ctx, changed);
        double changedMs = Clock.MsSince(blackholeAt);

        // The blackhole lasts the peers' 9000 ms, and at least until the client knows of the loss.
        double elapsedMs = Clock.MsSince(blackholeAt);
        if (elapsedMs < BlackholeFor.TotalMilliseconds)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(BlackholeFor.TotalMilliseconds - elapsedMs), ctx.Token);
        }

        await Waits.WithinAsync(lossKnown.Task, LossTimeout, "the client under test to notice the session loss", ctx.Token);

        long restoreAt = Clock.Now;
        await ctx.Control.RestoreAsync(ctx.Token);
        recorder.Add("runner", "restore");
        long heldAt = await Waits.WithinAsync(waiter.Completed, ResyncTimeout, $"the client to hold all {ChangedNodes.K} new values after restore ({waiter.SatisfiedCount} held)", ctx.Token);
        double resyncMs = Clock.Ms(restoreAt, heldAt);
        double freshMs = Clock.Ms(restoreAt, await Waits.WithinAsync(freshWaiter.Completed, ResyncTimeout, $"all {ChangedNodes.K} new values to be Fresh ({freshWaiter.SatisfiedCount} are)", ctx.Token));
        long reconnectedAt = recorder.FirstAt(restoreAt, EventRecorder.IsConnected);
        var stats = await ctx.Control.QuietStatsAsync(ctx.Token);
        stop.Cancel();
        readerThread.Join();
        bool valuesOk = await loaded.ValuesOkAsync(ctx, i => Array.IndexOf(changed, i) >= 0 ? 1 : 0);

        if (session.Client?.SessionId == firstSession)
        {
            throw new BenchFailure($"the session 0x{firstSession:x} survived the blackhole: nothing expired, so the scenario measured nothing.");
        }

        long knownAt = Volatile.Read(ref lossKnownAt);
        Log.Info($"expiry: stale_served {reader.StaleServed} in {reader.Reads} reads ({reader.ReadsAfterLoss} after the loss was known); resync {resyncMs:0.0} ms; proxy stats {stats}");
        if (reader.StaleServed > 0)
        {
            Log.Info($"expiry: stale reads from +{Clock.Ms(knownAt, reader.FirstStaleAt):0.000} ms to +{Clock.Ms(knownAt, reader.LastStaleAt):0.000} ms after the loss was known; statuses: {string.Join(", ", reader.StaleStatuses)}");
        }

        result.Json.WriteNumber("k", ChangedNodes.K);
        result.Number("session_timeout_ms", (long)SessionTimeout.TotalMilliseconds);
        result.Number("blackhole_ms", (long)BlackholeFor.TotalMilliseconds);
        recorder.WriteTo(result.Json, "events");
        result.Number("expiry_known_at_ms", Clock.Ms(blackholeAt, knownAt));
        if (reconnectedAt > 0)
        {
            result.Number("reconnect_ms", Clock.Ms(restoreAt, reconnectedAt));
        }

        result.Number("resync_ms", resyncMs);
        result.Number("fresh_ms", freshMs);
        result.Bool("cache_cleared", reader.SawAllInvalidated);
        result.Number("stale_served", reader.StaleServed);

        // The peers count ~5 ms samples; this reader counts every read of a tight loop (a stricter count, same zero).
        result.Number("stale_reads_after_expiry_known", reader.StaleServed);
        if (reader.StaleServed > 0)
        {
            result.Number("stale_until_ms", Clock.Ms(blackholeAt, reader.LastStaleAt));
        }

        result.Bool("values_ok", valuesOk);
        result.Raw("requests", stats);
        if (!valuesOk)
        {
            result.Fail("not every value was right after the resync");
        }

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

        /// <summary>The peers' <c>cache_cleared</c>: in some pass every changed node read Invalidated (no value of the lost session served).</summary>
        public bool SawAllInvalidated { get; private set; }

        public void Run(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                // The flag is read before the snapshots: a snapshot read after the loss was known is judged by it.
                bool known = lossKnown.IsCompleted;
                int invalidated = 0;
                foreach (IZNode<LoadValue> node in nodes)
                {
                    ZNodeSnapshot<LoadValue> s = node.Current;
                    _reads++;
                    if (s.Status == ZNodeStatus.Invalidated)
                    {
                        invalidated++;
                    }

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

                if (invalidated == nodes.Length)
                {
                    SawAllInvalidated = true;
                }

                Thread.Yield();
            }
        }
    }
}
