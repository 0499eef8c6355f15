using ZkTypedState.Testing;

namespace ZkTypedState.Tests.Consistency;

/// <summary>A 3-member ensemble with a FaultProxy in front of each member (the runtime connects through the proxies).</summary>
public sealed class ConsistencyEnsembleFixture : IAsyncLifetime
{
    public ZooKeeperTestCluster Cluster { get; private set; } = null!;

    public IReadOnlyList<FaultProxy> Proxies { get; private set; } = [];

    /// <summary>The proxies' connection string, for the runtime under test.</summary>
    public string ProxiedConnectionString => string.Join(',', Proxies.Select(p => p.ConnectionString));

    public async Task InitializeAsync()
    {
        Cluster = await ZooKeeperTestCluster.StartAsync(3, new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000 });
        await Cluster.WaitForQuorumAsync();
        Proxies = await Task.WhenAll(Cluster.Members.Select(m => FaultProxy.StartAsync(m)));
    }

    public async Task DisposeAsync()
    {
        foreach (FaultProxy proxy in Proxies)
        {
            await proxy.DisposeAsync();
        }

        await Cluster.DisposeAsync();
    }
}
