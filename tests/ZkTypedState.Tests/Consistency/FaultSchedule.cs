using ZkTypedState.Testing;

namespace ZkTypedState.Tests.Consistency;

/// <summary>The kinds of fault the consistency test injects.</summary>
internal enum Fault
{
    KillMember,
    KillLeader,
    CutAll,
    CutCurrent,
    BlackholeBeyondSessionTimeout,
}

/// <summary>A seeded sequence of faults, and how to inject each (every fault is healed before the next one).</summary>
internal sealed class FaultSchedule(ConsistencyEnsembleFixture ensemble, ZooKeeperSession session, TimeSpan sessionTimeout, int seed)
{
    private readonly Random _random = new(seed ^ 0x5eed);

    public List<string> Log { get; } = [];

    /// <summary>The fast variant: every kind of fault once plus three more drawn at random, in a seeded order.</summary>
    public IReadOnlyList<Fault> Fast()
    {
        var picked = Enum.GetValues<Fault>().Concat(Enumerable.Range(0, 3).Select(_ => (Fault)_random.Next(5))).ToList();
        return [.. picked.OrderBy(_ => _random.Next())];
    }

    /// <summary>The long variant: <paramref name="count"/> faults drawn at random.</summary>
    public IReadOnlyList<Fault> Long(int count) => [.. Enumerable.Range(0, count).Select(_ => (Fault)_random.Next(5))];

    public async Task RunAsync(IReadOnlyList<Fault> faults, CancellationToken cancellationToken)
    {
        foreach (Fault fault in faults)
        {
            // Faults are durations of real time, not synchronisation: the system runs on its own meanwhile.
            await Task.Delay(_random.Next(300, 800), cancellationToken);
            await InjectAsync(fault, cancellationToken);
        }
    }

    private async Task InjectAsync(Fault fault, CancellationToken cancellationToken)
    {
        ZooKeeperTestCluster cluster = ensemble.Cluster;
        switch (fault)
        {
            case Fault.KillMember or Fault.KillLeader:
                int leader = await cluster.FindLeaderAsync(cancellationToken);
                int victim = fault == Fault.KillLeader ? leader : (leader + 1 + _random.Next(2)) % 3;
                Log.Add($"{fault} #{victim}");
                await cluster.KillAsync(victim, cancellationToken);
                await Task.Delay(_random.Next(200, 800), cancellationToken);
                await cluster.StartAsync(victim, cancellationToken);
                await cluster.WaitForQuorumAsync(cancellationToken);
                break;
            case Fault.CutAll:
                Log.Add("CutAll");
                foreach (FaultProxy proxy in ensemble.Proxies)
                {
                    proxy.Cut();
                }

                await Task.Delay(_random.Next(100, 400), cancellationToken);
                RestoreAll();
                break;
            case Fault.CutCurrent:
                FaultProxy? current = ensemble.Proxies.FirstOrDefault(p => p.ConnectionString == session.Client?.ConnectedServer);
                Log.Add($"CutCurrent {current?.ConnectionString ?? "(not connected)"}");
                current?.Cut();
                await Task.Delay(_random.Next(100, 400), cancellationToken);
                current?.Restore();
                break;
            case Fault.BlackholeBeyondSessionTimeout:
                Log.Add("Blackhole");
                foreach (FaultProxy proxy in ensemble.Proxies)
                {
                    proxy.Blackhole();
                }

                await Task.Delay(sessionTimeout * 1.5, cancellationToken);
                RestoreAll();
                break;
        }
    }

    private void RestoreAll()
    {
        foreach (FaultProxy proxy in ensemble.Proxies)
        {
            proxy.Restore();
        }
    }
}
