using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class ZooKeeperTestClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private ZooKeeperTestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Three_members_form_a_quorum_with_exactly_one_leader()
    {
        var modes = await Cluster.GetModesAsync();

        Assert.Equal(3, Cluster.Members.Count);
        Assert.Single(modes, mode => mode == ZooKeeperServerMode.Leader);
        Assert.Equal(2, modes.Count(mode => mode == ZooKeeperServerMode.Follower));
        Assert.Equal(modes.ToList().IndexOf(ZooKeeperServerMode.Leader), await Cluster.FindLeaderAsync());
        Assert.Equal(
            string.Join(',', Cluster.Members.Select(member => $"127.0.0.1:{member.Port}")),
            Cluster.ConnectionString);
        Assert.Equal([1, 2, 3], Cluster.Members.Select(member => member.ServerId ?? 0));
        Assert.Equal(3, Cluster.Members.Select(member => member.Port).Distinct().Count());
    }

    [Fact]
    public async Task Killing_the_leader_elects_a_new_one_and_the_old_leader_rejoins()
    {
        await Cluster.WaitForQuorumAsync();
        var leader = await Cluster.FindLeaderAsync();

        await Cluster.KillAsync(leader);

        Assert.False(Cluster.Members[leader].IsRunning);
        var newLeader = await Cluster.FindLeaderAsync();
        Assert.NotEqual(leader, newLeader);
        await Cluster.WaitForQuorumAsync();

        await Cluster.StartAsync(leader);
        await Cluster.WaitForQuorumAsync();

        var modes = await Cluster.GetModesAsync();
        Assert.Single(modes, mode => mode == ZooKeeperServerMode.Leader);
        Assert.Equal(2, modes.Count(mode => mode == ZooKeeperServerMode.Follower));
        Assert.NotEqual(ZooKeeperServerMode.Leader, modes[leader]);
    }
}
