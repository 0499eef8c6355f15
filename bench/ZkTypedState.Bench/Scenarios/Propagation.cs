using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// <c>propagation</c>: the client under test watches /bench/prop (an <see cref="IZNode{T}"/> through --proxied); the
/// writer session (--connect) does N sequential setData calls of <c>{"seq":i,…}</c> (~100 bytes) and after each
/// waits until the watched value shows seq i. Latency: write start to the node's Changed event carrying seq i.
/// </summary>
public static class Propagation
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(ScenarioContext ctx, Result result)
    {
        // Setup (untimed): the node exists and holds this run's baseline, seq 0.
        await ctx.Writer.EnsurePathAsync(BenchNodes.Root, ctx.Token);
        await ctx.Writer.CreateOrSetAsync(BenchNodes.PropPath, BenchNodes.Serialize(BenchNodes.PropPayload(0, ctx.Run)), ctx.Token);
        byte[][] payloads = [.. Enumerable.Range(0, ctx.N + 1).Select(i => BenchNodes.Serialize(BenchNodes.PropPayload(i, ctx.Run)))];
        Log.Info($"propagation: payload {payloads[ctx.N].Length} bytes, {ctx.N} writes");

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

        var latenciesUs = new double[ctx.N];
        long runStart = Clock.Now;
        for (int i = 1; i <= ctx.N; i++)
        {
            var signal = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref observed, signal);
            Volatile.Write(ref target, i);
            long start = Clock.Now;
            await ctx.Writer.Client.SetDataAsync(BenchNodes.PropPath, payloads[i], cancellationToken: ctx.Token);
            long seen = await Waits.WithinAsync(signal.Task, StepTimeout, $"the watched value to show seq {i} (status {node.Status}, seq {node.Value.Seq})", ctx.Token);
            latenciesUs[i - 1] = Clock.Us(start, seen);
        }

        double totalS = Clock.Ms(runStart, Clock.Now) / 1000;
        (double p50, double p99, double mean) = Percentiles.Summarize(latenciesUs);
        Log.Info($"propagation: p50 {p50:0.0} us, p99 {p99:0.0} us, mean {mean:0.0} us, max {latenciesUs.Max():0} us over {ctx.N} writes in {totalS:0.00} s");
        double[] sorted = [.. latenciesUs.Order()];
        int tenth = Math.Max(1, ctx.N / 10);
        Log.Info($"propagation: p90 {Percentiles.Of(sorted, 90):0} us, p95 {Percentiles.Of(sorted, 95):0} us; over 2 ms: {latenciesUs.Take(tenth).Count(l => l > 2000)} in the first {tenth} writes, {latenciesUs.Skip(tenth).Count(l => l > 2000)} in the other {ctx.N - tenth}");
        result.Number("p50_us", p50);
        result.Number("p99_us", p99);
        result.Number("mean_us", mean);
        result.Number("updates_per_s", ctx.N / totalS);
    }
}
