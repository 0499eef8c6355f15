using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>propagation</c>: the client under test watches /bench/prop (an <see cref="IZNode{T}"/> through --proxied); the
/// writer session (--connect) does N/10 warm-up writes (not recorded), then N recorded ones, strictly sequential, of
/// <c>{"seq":i,…}</c> (~100 bytes): for write i, take t0, issue setData, wait until the watched value shows seq ≥ i
/// (t1, taken in the node's Changed handler), then wait for the setData reply before the next write — the steps of
/// the harness's peers (Bench.java). <c>requests</c>: the proxy's counters over the N recorded writes.
/// </summary>
public static class Propagation
{
    // The peers' bound on one step: a write whose seq is not shown within it is "missed"; after more than three the
    // run stops (and fails), as theirs does.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);
    private const int MaxMissed = 3;

    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        int warm = ctx.N / 10;
        int total = warm + ctx.N;

        // Setup (untimed): the node exists and holds this run's baseline, seq 0.
        await ctx.Writer.EnsurePathAsync(BenchNodes.Root, ctx.Token);
        await ctx.Writer.CreateOrSetAsync(BenchNodes.PropPath, BenchNodes.Serialize(BenchNodes.PropPayload(0, ctx.Run)), ctx.Token);
        byte[][] payloads = [.. Enumerable.Range(0, total + 1).Select(i => BenchNodes.Serialize(BenchNodes.PropPayload(i, ctx.Run)))];
        Log.Info($"propagation: payload {payloads[total].Length} bytes, {warm} warm-up + {ctx.N} recorded writes");

        await using ClientUnderTest client = await ClientUnderTest.StartAsync(ctx.Args.Proxied, TimeSpan.FromSeconds(10), b => b.AddZNode(PropValue.ZNode), ctx.Token);
        var node = client.Get<IZNode<PropValue>>();
        (_, int late) = await Visibility.WaitAsync([node], s => s.Status == ZNodeStatus.Fresh && s.Value.Seq == 0 && s.Value.Run == ctx.Run, TimeSpan.FromSeconds(5), $"{BenchNodes.PropPath} to show the baseline seq 0 of this run", ctx.Token);
        if (late > 0)
        {
            Log.Info($"propagation: the host had started (initial sync done) before {BenchNodes.PropPath} was readable");
        }

        long target = long.MaxValue;
        TaskCompletionSource<long> observed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Changed += change =>
        {
            PropValue value = change.Current.Value;
            if (value.Run == ctx.Run && value.Seq >= Volatile.Read(ref target))
            {
                Volatile.Read(ref observed).TrySetResult(Clock.Now);
            }
        };

        var latenciesUs = new List<double>(ctx.N);
        int missed = 0;
        long runStart = 0;
        for (int i = 1; i <= total; i++)
        {
            if (i == warm + 1)
            {
                await ctx.Control.ResetAsync(ctx.Token);
                runStart = Clock.Now;
            }

            var signal = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref observed, signal);
            Volatile.Write(ref target, i);
            long start = Clock.Now;
            Task write = ctx.Writer.Client.SetDataAsync(BenchNodes.PropPath, payloads[i], cancellationToken: ctx.Token);
            bool seen;
            long seenAt = 0;
            try
            {
                seenAt = await signal.Task.WaitAsync(StepTimeout, ctx.Token);
                seen = true;
            }
            catch (TimeoutException)
            {
                seen = false;
            }

            await write;
            if (!seen)
            {
                missed++;
                Log.Info($"propagation: the watched value never showed seq {i} within {StepTimeout.TotalSeconds:0} s (status {node.Status}, seq {node.Value.Seq})");
                if (missed > MaxMissed)
                {
                    break;
                }

                continue;
            }

            if (i > warm)
            {
                latenciesUs.Add(Clock.Us(start, seenAt));
            }
        }

        double totalS = Clock.Ms(runStart, Clock.Now) / 1000;
        var stats = await ctx.Control.StatsAsync(ctx.Token);
        result.Number("warmup", warm);
        result.Number("missed", missed);
        result.Raw("requests", stats);
        if (latenciesUs.Count == 0)
        {
            result.Fail($"the watched value missed {missed} updates; no latency recorded");
            return;
        }

        double[] sorted = [.. latenciesUs.Order()];
        double p50 = Percentiles.At(sorted, 0.50), p90 = Percentiles.At(sorted, 0.90), p99 = Percentiles.At(sorted, 0.99);
        double mean = sorted.Average(), max = sorted[^1];
        Log.Info($"propagation: p50 {p50:0.0} us, p90 {p90:0.0} us, p99 {p99:0.0} us, mean {mean:0.0} us, max {max:0} us over {latenciesUs.Count} recorded writes in {totalS:0.00} s; {missed} missed; proxy stats {stats}");
        result.Number("p50_us", p50);
        result.Number("p90_us", p90);
        result.Number("p99_us", p99);
        result.Number("mean_us", mean);
        result.Number("max_us", max);
        result.Number("updates_per_s", ctx.N / totalS);
        if (missed > 0)
        {
            result.Fail($"the watched value missed {missed} updates");
        }
    }
}
