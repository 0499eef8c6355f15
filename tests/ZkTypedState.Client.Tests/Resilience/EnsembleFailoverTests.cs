using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Harness;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>Failover in a real 3-server ensemble: the session moves to another member and keeps everything.</summary>
public sealed class EnsembleFailoverTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Killing_the_member_the_client_is_on_moves_the_session_to_another_member_intact()
    {
        var cluster = fixture.Cluster;
        await cluster.WaitForQuorumAsync();
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = cluster.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) }, Timeouts.Token());
        long session = client.SessionId;
        string root = ZooKeeperServerFixture.UniquePath("failover");
        await client.CreateAsync(root);
        await client.CreateAsync(root + "/eph", default, CreateMode.Ephemeral);
        await client.CreateAsync(root + "/watched", Encoding.UTF8.GetBytes("0"));
        var watch = new EventRecorder();
        await client.GetDataAsync(root + "/watched", watch.Watcher);
        int on = cluster.Members.ToList().FindIndex(m => m.ConnectionString == client.ConnectedServer);
        Assert.True(on >= 0, $"client is on {client.ConnectedServer}");
        int leader = await cluster.FindLeaderAsync();
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);

        try
        {
            await cluster.KillAsync(on);
            var disconnected = await states.WaitForAsync(ZooKeeperState.Disconnected);
            var connected = await states.WaitForAsync(ZooKeeperState.Connected);

            Assert.Equal(session, client.SessionId);
            Assert.NotEqual(cluster.Members[on].ConnectionString, client.ConnectedServer);
            Assert.True(connected.At - disconnected.At < client.NegotiatedSessionTimeout, $"moved after {(connected.At - disconnected.At).TotalMilliseconds:0} ms");
            Stat? ephemeral = await client.ExistsAsync(root + "/eph");
            Assert.Equal(session, ephemeral?.EphemeralOwner);

            await client.SetDataAsync(root + "/watched", Encoding.UTF8.GetBytes("1"));
            Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, root + "/watched"), await watch.NextAsync());
            output.WriteLine($"killed member {on} ({(on == leader ? "leader" : "follower")}); Disconnected -> Connected on {client.ConnectedServer} in {(connected.At - disconnected.At).TotalMilliseconds:0} ms");
        }
        finally
        {
            await cluster.StartAsync(on);
        }
    }
}
