using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>What leadership does while the connection is lost: end at once (default) or hold until the session is lost.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class DisconnectPolicyTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task By_default_IsLeader_turns_false_on_disconnect_before_the_session_expires_and_the_term_resumes_on_reconnect()
    {
        string path = ZooKeeperFixture.UniquePath();
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(3000));
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await using var election = new LeaderElection(session, path);
        var recorder = new LeadershipRecorder(election);
        await election.StartAsync();
        LeaderTerm term = await election.WaitForLeadershipAsync(Timeouts.Token());
        long sessionId = session.Client!.SessionId;

        // The connection drops (and new ones are refused) while the session lives on in the server.
        proxy.Cut();
        (LeadershipLost lost, TimeSpan lostAt) = await recorder.NextLostAsync();
        Assert.Equal(LeadershipLossReason.Disconnected, lost.Reason);
        Assert.False(election.IsLeader);
        Assert.Null(election.CurrentTerm);

        // The session is still alive on the server: the node is still there, and still the leader's.
        Stat? stat = await observer.ExistsAsync(term.NodePath);
        Assert.NotNull(stat);
        Assert.Equal(sessionId, stat.Value.EphemeralOwner);

        proxy.Restore();
        (LeadershipAcquired resumed, TimeSpan resumedAt) = await recorder.NextAcquiredAsync();
        output.WriteLine($"lost at {lostAt.TotalMilliseconds:0} ms, resumed at {resumedAt.TotalMilliseconds:0} ms; events: {string.Join(" | ", recorder.Events)}");
        Assert.True(resumed.Resumed);
        Assert.Equal(term, resumed.Term);
        Assert.Equal(sessionId, session.Client!.SessionId);
        Assert.True(election.IsLeader);
    }

    [Fact]
    public async Task With_KeepUntilSessionLost_leadership_survives_the_disconnect_and_ends_at_presumed_expiry()
    {
        string path = ZooKeeperFixture.UniquePath();
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1500));
        await using var election = new LeaderElection(session, path, new LeaderElectionOptions { DisconnectPolicy = LeadershipDisconnectPolicy.KeepUntilSessionLost });
        var recorder = new LeadershipRecorder(election);
        var sessionEvents = new List<SessionEventKind>();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Changed += e =>
        {
            lock (sessionEvents)
            {
                sessionEvents.Add(e.Kind);
            }

            if (e.Kind == SessionEventKind.Disconnected)
            {
                disconnected.TrySetResult();
            }
        };
        await election.StartAsync();
        LeaderTerm term = await election.WaitForLeadershipAsync(Timeouts.Token());

        proxy.Blackhole();
        await disconnected.Task.WaitAsync(Timeouts.Event);
        await election.FlushForTestingAsync();
        Assert.True(election.IsLeader, "leadership is kept while merely disconnected");
        Assert.Equal(term, election.CurrentTerm);

        (LeadershipLost lost, _) = await recorder.NextLostAsync();
        Assert.Equal(LeadershipLossReason.SessionLost, lost.Reason);
        Assert.False(election.IsLeader);
        lock (sessionEvents)
        {
            Assert.Equal([SessionEventKind.Disconnected, SessionEventKind.Lost], sessionEvents);
        }

        // It re-enters in the next session and, alone, leads again with a higher token.
        proxy.Restore();
        (LeadershipAcquired again, _) = await recorder.NextAcquiredAsync();
        Assert.False(again.Resumed);
        Assert.True(again.Term.FencingToken > term.FencingToken);
        Assert.NotEqual(term.SessionId, again.Term.SessionId);
        Assert.Equal(2, again.Term.SessionEpoch);
    }
}
