using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>CURATOR-696: leadership is asserted only on a node whose ephemeralOwner is the current session.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class EphemeralOwnerTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task A_lowest_node_that_looks_like_ours_but_belongs_to_another_session_is_not_taken_for_ours()
    {
        string path = ZooKeeperFixture.UniquePath("owner");
        await using ZooKeeperClient other = await fixture.ConnectAsync();
        try
        {
            await other.CreateAsync("/recipes", default, CreateMode.Persistent);
        }
        catch (NodeExistsException)
        {
        }

        await other.CreateAsync(path, default, CreateMode.Persistent);

        // A latch node of another session, lowest in the election (what a stale node from an old session looks like).
        CreatedNode foreign = await other.CreateAsync(path + "/" + LatchNodes.NamePrefix(Guid.NewGuid().ToString()), default, CreateMode.EphemeralSequential);

        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var election = new LeaderElection(session, path);
        var recorder = new LeadershipRecorder(election);
        await election.StartAsync();
        await ElectionTests.WaitUntilJoinedAsync(election);
        Assert.False(election.IsLeader);

        // The state machine is made to believe the foreign node is its own (Curator kept such a stale path after an expiry).
        await election.AdoptNodeForTestingAsync(foreign.Path);
        await ElectionTests.WaitUntilJoinedAsync(election);
        using (var timeout = new CancellationTokenSource(Timeouts.Event))
        {
            while (election.NodePath == foreign.Path)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        await ElectionTests.WaitUntilJoinedAsync(election);
        Assert.False(election.IsLeader);
        Assert.Empty(recorder.Events);
        Stat? own = await other.ExistsAsync(election.NodePath!);
        Assert.Equal(session.Client!.SessionId, own!.Value.EphemeralOwner);

        // When the foreign node goes, the participant leads on its own node.
        await other.DeleteAsync(foreign.Path);
        (LeadershipAcquired acquired, _) = await recorder.NextAcquiredAsync();
        Assert.Equal(election.NodePath, acquired.Term.NodePath);
        Assert.Equal(own.Value.Czxid, acquired.Term.FencingToken);
        Assert.Equal(session.Client!.SessionId, acquired.Term.SessionId);
    }

    [Fact]
    public async Task After_an_expiry_the_new_term_is_on_a_new_node_owned_by_the_new_session_with_a_higher_token()
    {
        string path = ZooKeeperFixture.UniquePath("owner");
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1000));
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await using var election = new LeaderElection(session, path);
        var recorder = new LeadershipRecorder(election);
        await election.StartAsync();
        LeaderTerm first = await election.WaitForLeadershipAsync(Timeouts.Token());

        proxy.Blackhole();
        await ElectionTests.WaitForSessionEventAsync(session, SessionEventKind.Lost, Timeouts.Token());
        proxy.Restore();

        LeadershipAcquired second;
        do
        {
            second = (await recorder.NextAcquiredAsync()).Event;
        }
        while (second.Term.NodePath == first.NodePath);

        Assert.NotEqual(first.SessionId, second.Term.SessionId);
        Assert.Equal(session.Client!.SessionId, second.Term.SessionId);
        Assert.NotEqual(first.NodePath, second.Term.NodePath);
        Assert.True(second.Term.FencingToken > first.FencingToken);
        Stat? stat = await observer.ExistsAsync(second.Term.NodePath);
        Assert.Equal(second.Term.SessionId, stat!.Value.EphemeralOwner);

        // The old node is gone (expired with its session, or deleted from the new one), and only the new node is listed.
        Assert.Null(await observer.ExistsAsync(first.NodePath));
        Assert.Equal([second.Term.NodePath], (await election.GetParticipantsAsync()).Select(p => p.NodePath));
    }
}
