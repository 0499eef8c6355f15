using ZkTypedState.Bench.Infra;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>load</c>: N children of /bench/load (~200 bytes of JSON each) set up through --connect (untimed); timed from
/// starting the client under test (the host's start: session owner and runtime constructed, session opened, the family
/// discovered and its N members bound) to all N values held with
/// their watches set. <c>requests</c> is the proxy's <c>stats</c> right after.
/// </summary>
public static class Load
{
    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        await LoadedFamily.SetUpAsync(ctx);
        await using LoadedFamily loaded = await LoadedFamily.LoadAsync(ctx, TimeSpan.FromSeconds(10));
        var stats = await ctx.Control.StatsAsync(ctx.Token);
        Log.Info($"load: {ctx.N} nodes in {loaded.LoadMs:0.0} ms ({loaded.Client.Runtime.ReadsIssued} reads issued); proxy stats {stats}");
        if (loaded.ConnectedMs is { } connected)
        {
            result.Number("connected_ms", connected);
        }

        result.Number("load_ms", loaded.LoadMs);
        result.Number("nodes_per_s", ctx.N / (loaded.LoadMs / 1000));
        result.Bool("values_ok", true); // LoadAsync verified every value (it fails the run otherwise)
        result.Raw("requests", stats);
    }
}
