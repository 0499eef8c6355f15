using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Consistency;

/// <summary>
/// A randomized consistency test in the spirit of Curator's TestCuratorCacheConsistency: a seeded writer records the
/// true history, seeded faults hit a 3-member ensemble (member and leader kills, connection cuts, a blackhole longer
/// than the session timeout), an observer records what the bound values serve, and a checker holds it to the
/// history and to the ordering guarantees. The fast variant runs 3 seeds in CI; set ZKTS_CONSISTENCY_LONG=N to run a
/// long variant of N faults per seed by hand (ZKTS_CONSISTENCY_SEEDS=a,b,c picks the seeds).
/// </summary>
public sealed class ConsistencyTests(ConsistencyEnsembleFixture ensemble, ITestOutputHelper output) : IClassFixture<ConsistencyEnsembleFixture>
{
    private const int Nodes = 4;
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);

    // Scheduling slack on the convergence bound, as elsewhere in the suite: CI shares 2 cores with JVMs.
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(1);

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        string? chosen = Environment.GetEnvironmentVariable("ZKTS_CONSISTENCY_SEEDS");
        foreach (int seed in chosen is null ? [11, 23, 37] : chosen.Split(',').Select(int.Parse))
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Bound_values_stay_consistent_with_the_history_under_seeded_faults_and_converge(int seed)
    {
        var clock = Stopwatch.StartNew();
        await ensemble.Cluster.WaitForQuorumAsync();
        string root = RuntimeServerFixture.UniquePath($"consistency-{seed}");
        string[] paths = [.. Enumerable.Range(0, Nodes).Select(i => $"{root}/n{i}")];
        await using var writerClient = await ZooKeeperClient.ConnectAsync(ensemble.Cluster.ConnectionString, TimeSpan.FromSeconds(15), Timeouts.Token());
        await writerClient.CreateAsync(root);
        var history = new History();

        using IHost host = await RuntimeServerFixture.StartHostAsync(
            ensemble.ProxiedConnectionString,
            b => b.AddZNode(Descriptors.Counters(root)),
            o =>
            {
                o.SessionTimeout = SessionTimeout;
                o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(300);
            });
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        IZNode<Counter>[] nodes = [.. Enumerable.Range(0, Nodes).Select(i => family.Get($"n{i}"))];
        var observer = new Observer(runtime, nodes);
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());

        using var stopObserving = new CancellationTokenSource();
        using var stopWriting = new CancellationTokenSource();
        Task polling = Task.Run(() => observer.PollAsync(stopObserving.Token));
        Task writing = Task.Run(() => new SeededWriter(writerClient, paths, history, seed).RunAsync(stopWriting.Token));
        var schedule = new FaultSchedule(ensemble, runtime.Session, SessionTimeout, seed);
        string? longRun = Environment.GetEnvironmentVariable("ZKTS_CONSISTENCY_LONG");
        IReadOnlyList<Fault> faults = longRun is null ? schedule.Fast() : schedule.Long(int.Parse(longRun));
        try
        {
            await schedule.RunAsync(faults, CancellationToken.None);
        }
        finally
        {
            foreach (Testing.FaultProxy proxy in ensemble.Proxies)
            {
                proxy.Restore();
            }
        }

        // Convergence: from the moment the last fault is healed, every value is current within 2x the session timeout.
        var converging = Stopwatch.StartNew();
        stopWriting.Cancel();
        await writing;
        foreach ((IZNode<Counter> node, string path) in nodes.Zip(paths))
        {
            (int Value, long Mzxid)? truth = history.Current(path);
            try
            {
                await NodeEvents<Counter>.WaitUntilAsync(node, s => truth switch
                {
                    null => s.Status == ZNodeStatus.Missing,
                    { Value: History.Rejected } bad => s.Status == ZNodeStatus.Faulted && s.RejectedStat?.Mzxid == bad.Mzxid,
                    { } good => s.Status == ZNodeStatus.Fresh && s.Value.Count == good.Value && s.Mzxid == good.Mzxid,
                });
            }
            catch (OperationCanceledException)
            {
                ZNodeSnapshot<Counter> s = node.Current;
                Assert.Fail($"seed {seed}: {path} did not converge to {truth?.ToString() ?? "missing"}; it serves {s.Status} {s.Value.Count} at mzxid 0x{s.Mzxid:x} (rejected 0x{s.RejectedStat?.Mzxid ?? 0:x}); faults [{string.Join(", ", schedule.Log)}]");
            }
        }

        TimeSpan convergence = converging.Elapsed;
        stopObserving.Cancel();
        await polling;
        IReadOnlyList<Observation> observations = observer.All;
        List<string> violations = [.. observer.Violations, .. ConsistencyChecker.Check(observations, history)];

        output.WriteLine(
            $"seed {seed}: faults [{string.Join(", ", schedule.Log)}]; {history.Writes} writes, {history.Deletes} deletes; " +
            $"{observations.Count} observations; {observer.SessionEvents} session events ({observer.Losses} lost, {observer.Reconnects} re-attached); " +
            $"converged {convergence.TotalMilliseconds:0} ms after the last fault; {violations.Count} violations; {clock.Elapsed.TotalSeconds:0.0} s total");
        foreach (string violation in violations.Take(20))
        {
            output.WriteLine("  " + violation);
        }

        Assert.Empty(violations);
        Assert.True(convergence <= SessionTimeout * 2 + SchedulingSlack, $"converged only after {convergence.TotalMilliseconds:0} ms");
        Assert.True(history.Writes > 50, $"only {history.Writes} writes");
        if (faults.Contains(Fault.BlackholeBeyondSessionTimeout))
        {
            Assert.True(observer.Losses >= 1, "the blackhole beyond the session timeout lost the session");
        }

        await host.StopAsync();
    }
}
