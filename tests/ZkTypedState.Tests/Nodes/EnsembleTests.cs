using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>A 3-server ensemble of the class's own.</summary>
public sealed class EnsembleFixture : IAsyncLifetime
{
    public ZooKeeperTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ZooKeeperTestCluster.StartAsync(3, new ZooKeeperTestServerOptions { TickTimeMs = 200 });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class EnsembleTests(EnsembleFixture fixture) : IClassFixture<EnsembleFixture>
{
    [Fact]
    public async Task Bound_values_survive_losing_their_server_keep_the_session_and_keep_following_changes()
    {
        ZooKeeperTestCluster cluster = fixture.Cluster;
        await cluster.WaitForQuorumAsync();
        string path = RuntimeServerFixture.UniquePath("ensemble");
        await using (var setup = await ZooKeeperClient.ConnectAsync(cluster.ConnectionString, TimeSpan.FromSeconds(4), Timeouts.Token()))
        {
            await setup.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        }

        using IHost host = await RuntimeServerFixture.StartHostAsync(cluster.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        var events = new NodeEvents<PaymentsConfig>(node);
        long sessionId = session.Client!.SessionId;
        int on = cluster.Members.ToList().FindIndex(m => m.ConnectionString == session.Client.ConnectedServer);

        try
        {
            await cluster.KillAsync(on);
            ZNodeSignal<PaymentsConfig> resynced = await events.NextSignalAsync(ZNodeSignalKind.Resynced);
            Assert.Equal(ZNodeStatus.Fresh, resynced.Current.Status);
            Assert.Equal(1, resynced.Current.Value.Limit);
            Assert.Equal(sessionId, session.Client!.SessionId);
            Assert.Equal(1, session.Epoch);

            await using var writer = await ZooKeeperClient.ConnectAsync(cluster.ConnectionString, TimeSpan.FromSeconds(4), Timeouts.Token());
            await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
            Assert.Equal(2, (await events.NextChangeAsync()).Current.Value.Limit);
        }
        finally
        {
            await cluster.StartAsync(on);
            await host.StopAsync();
        }
    }
}
