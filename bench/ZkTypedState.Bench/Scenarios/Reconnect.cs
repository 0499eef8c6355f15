using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>reconnect</c>: from the load state (session timeout 10 s) and 500 ms of settling, <c>reset</c> the proxy,
/// <c>cut</c>, change K nodes through --connect, keep the cut 2000 ms in all, <c>restore</c> — the peers' steps.
/// <c>resync_ms</c>: restore until the client holds all K new values (Fresh, rev 1); <c>reconnect_ms</c>: restore
/// until its first (re)connected event (the harness computes <c>after_conn_ms</c> = resync − reconnect, the cache's
/// own part). <c>requests</c>: the proxy's stats once the client has gone quiet (no non-ping request for 1 s).
/// </summary>
public static class Reconnect
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResyncTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        await LoadedFamily.SetUpAsync(ctx);
        await using LoadedFamily loaded = await LoadedFamily.LoadAsync(ctx, SessionTimeout);
        Log.Info($"reconnect: load state reached in {loaded.LoadMs:0} ms");
        result.Number("load_ms", loaded.LoadMs);
        int[] changed = ChangedNodes.Pick(ctx.N);
        IZNode<LoadValue>[] changedNodes = [.. changed.Select(i => loaded.Nodes[i])];
        ZooKeeperSession session = loaded.Client.Session;
        long sessionId = session.Client!.SessionId;
        var recorder = new EventRecorder();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lost = false;
        recorder.SessionChanged += e =>
        {
            if (e.Kind == SessionEventKind.Disconnected)
            {
                disconnected.TrySetResult();
            }
            else if (e.Kind == SessionEventKind.Lost)
            {
                lost = true;
            }
        };
        recorder.Attach(session);

        using var waiter = new NodeWaiter<LoadValue>(changedNodes, s => ChangedNodes.HoldsNewValue(s, ctx.Run));
        using var freshWaiter = new NodeWaiter<LoadValue>(changedNodes, s => ChangedNodes.HoldsNewValueFresh(s, ctx.Run));
        await Task.Delay(Settle, ctx.Token);
        long readsBefore = loaded.Client.Runtime.ReadsIssued;
        await ctx.Control.ResetAsync(ctx.Token);
        recorder.StartClock();
        long cutAt = recorder.Zero;
        await ctx.Control.CutAsync(ctx.Token);
        await ChangedNodes.ChangeAsync(ctx, changed);
        TimeSpan left = CutFor - TimeSpan.FromMilliseconds(Clock.MsSince(cutAt));
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, ctx.Token);
        }

        await Waits.WithinAsync(disconnected.Task, TimeSpan.FromSeconds(5), "the client under test to notice the cut", ctx.Token);

        long restoreAt = Clock.Now;
        await ctx.Control.RestoreAsync(ctx.Token);
        recorder.Add("runner", "restore");
        long heldAt = await Waits.WithinAsync(waiter.Completed, ResyncTimeout, $"the client to hold all {ChangedNodes.K} new values after restore ({waiter.SatisfiedCount} held)", ctx.Token);
        double resyncMs = Clock.Ms(restoreAt, heldAt);
        double freshMs = Clock.Ms(restoreAt, await Waits.WithinAsync(freshWaiter.Completed, ResyncTimeout, $"all {ChangedNodes.K} new values to be Fresh ({freshWaiter.SatisfiedCount} are)", ctx.Token));
        long reconnectedAt = recorder.FirstAt(restoreAt, EventRecorder.IsConnected);
        var stats = await ctx.Control.QuietStatsAsync(ctx.Token);
        bool valuesOk = await loaded.ValuesOkAsync(ctx, i => Array.IndexOf(changed, i) >= 0 ? 1 : 0);
        long reads = loaded.Client.Runtime.ReadsIssued - readsBefore;
        if (lost || session.Client?.SessionId != sessionId)
        {
            Log.Info("reconnect: WARNING the session was lost during the cut (the figures are those of a new session, not a reconnect)");
        }

        Log.Info($"reconnect: resync {resyncMs:0.0} ms, reconnected after {(reconnectedAt > 0 ? Clock.Ms(restoreAt, reconnectedAt) : double.NaN):0.0} ms; runtime reads {reads}; proxy stats {stats}");
        result.Json.WriteNumber("k", ChangedNodes.K);
        result.Number("resync_ms", resyncMs);
        result.Number("fresh_ms", freshMs);
        if (reconnectedAt > 0)
        {
            result.Number("reconnect_ms", Clock.Ms(restoreAt, reconnectedAt));
        }

        result.Bool("values_ok", valuesOk);
        recorder.WriteTo(result.Json, "events");
        result.Raw("requests", stats);
        if (!valuesOk)
        {
            result.Fail("not every value was right after the resync");
        }
    }
}
