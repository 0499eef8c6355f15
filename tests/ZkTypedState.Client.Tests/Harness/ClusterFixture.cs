using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>One three-member ensemble shared by the tests of a class.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private ZooKeeperTestCluster? cluster;

    public ZooKeeperTestCluster Cluster => cluster ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() =>
        cluster = await ZooKeeperTestCluster.StartAsync(3, new ZooKeeperTestServerOptions { TickTimeMs = 200 });

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
