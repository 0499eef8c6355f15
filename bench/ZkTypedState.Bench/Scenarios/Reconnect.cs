using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>reconnect</c>: from the load state (session timeout 10 s), <c>reset</c> the proxy, <c>cut</c>, change K nodes
/// through --connect, wait 2 s, <c>restore</c>. Timed from restore until the client holds all K new values
/// (Fresh, rev 1). <c>requests</c>: the proxy's stats after the resync (and a short settle, so reads still in
/// flight would show).
/// </summary>
public static class Reconnect
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResyncTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        await LoadedFamily.SetUpAsync(ctx);
        await using LoadedFamily loaded = await LoadedFamily.LoadAsync(ctx, SessionTimeout);
        Log.Info($"reconnect: load state reached in {loaded.LoadMs:0} ms");
        int[] changed = ChangedNodes.Pick(ctx.N);
        IZNode<LoadValue>[] changedNodes = [.. changed.Select(i => loaded.Nodes[i])];
        ZooKeeperSession session = loaded.Client.Session;
        long sessionId = session.Client!.SessionId;
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lost = false;
        session.Changed += e =>
        {
            Log.Info($"reconnect: session event {e.Kind} (session 0x{e.SessionId:x}, epoch {e.Epoch})");
            if (e.Kind == SessionEventKind.Disconnected)
            {
                disconnected.TrySetResult();
            }
            else if (e.Kind == SessionEventKind.Lost)
            {
                lost = true;
            }
        };

        using var waiter = new NodeWaiter<LoadValue>(changedNodes, s => ChangedNodes.HoldsNewValue(s, ctx.Run));
        long readsBefore = loaded.Client.Runtime.ReadsIssued;
        await ctx.Control.ResetAsync(ctx.Token);
        await ctx.Control.CutAsync(ctx.Token);
        await ChangedNodes.ChangeAsync(ctx, changed);
        await Task.Delay(CutFor, ctx.Token);
        await Waits.WithinAsync(disconnected.Task, TimeSpan.FromSeconds(5), "the client under test to notice the cut", ctx.Token);

        long restoreAt = Clock.Now;
        await ctx.Control.RestoreAsync(ctx.Token);
        long heldAt = await Waits.WithinAsync(waiter.Completed, ResyncTimeout, $"the client to hold all {ChangedNodes.K} new values after restore ({waiter.SatisfiedCount} held)", ctx.Token);
        double resyncMs = Clock.Ms(restoreAt, heldAt);
        await Task.Delay(Settle, ctx.Token);
        var stats = await ctx.Control.StatsAsync(ctx.Token);

        loaded.Verify(ctx, i => Array.IndexOf(changed, i) >= 0 ? 1 : 0, "after the resync");
        long reads = loaded.Client.Runtime.ReadsIssued - readsBefore;
        if (lost || session.Client?.SessionId != sessionId)
        {
            Log.Info("reconnect: WARNING the session was lost during the cut (the figures are those of a new session, not a reconnect)");
        }

        Log.Info($"reconnect: resync {resyncMs:0.0} ms; runtime reads {reads}; proxy stats {stats}");
        result.Json.WriteNumber("k", ChangedNodes.K);
        result.Number("resync_ms", resyncMs);
        result.Raw("requests", stats);
    }
}
