using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>One leader, succession in join order, no herd effect, clean step-down and disposal.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ElectionTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task One_leader_among_five_succession_in_join_order_and_only_the_successor_is_notified()
    {
        string path = ZooKeeperFixture.UniquePath();
        var participants = new List<Participant>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                // Each participant talks through a proxy of its own, so its requests can be counted separately.
                FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
                ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString);
                var election = new LeaderElection(session, path, new LeaderElectionOptions { ParticipantId = $"p{i}" });
                var participant = new Participant(proxy, session, election, new LeadershipRecorder(election));
                participants.Add(participant);
                await election.StartAsync();
                await WaitUntilJoinedAsync(election);
            }

            (LeadershipAcquired first, _) = await participants[0].Recorder.NextAcquiredAsync();
            Assert.Matches(new Regex("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\\d{10}$"), first.Term.NodePath.Split('/')[^1]);
            await SettleAsync(participants);
            Assert.Equal([true, false, false, false, false], participants.Select(p => p.Election.IsLeader));
            IReadOnlyList<ElectionParticipant> listed = await participants[1].Election.GetParticipantsAsync();
            Assert.Equal(["p0", "p1", "p2", "p3", "p4"], listed.Select(p => p.ParticipantId));
            Assert.True(listed[0].IsLeader);

            foreach (Participant participant in participants)
            {
                participant.Proxy.ResetCounters();
            }

            // Four successive step-downs: each time exactly the next participant in join order leads.
            long lastToken = first.Term.FencingToken;
            for (int leader = 0; leader < 4; leader++)
            {
                await participants[leader].Election.StepDownAsync(Timeouts.Token());
                Assert.False(participants[leader].Election.IsLeader);
                (LeadershipAcquired next, _) = await participants[leader + 1].Recorder.NextAcquiredAsync();
                Assert.False(next.Resumed);
                Assert.True(next.Term.FencingToken > lastToken, "tokens increase across terms");
                lastToken = next.Term.FencingToken;
                Assert.Equal(
                    Enumerable.Range(0, 5).Select(i => i == leader + 1),
                    participants.Select(p => p.Election.IsLeader));
            }

            await SettleAsync(participants);

            // No herd: each handover made exactly one participant (the successor) list the children, once.
            long[] childReads = participants.Select(p => p.Proxy.GetRequestCount(ZooKeeperOpCodes.GetChildren2) + p.Proxy.GetRequestCount(ZooKeeperOpCodes.GetChildren)).ToArray();
            long[] dataReads = participants.Select(p => p.Proxy.GetRequestCount(ZooKeeperOpCodes.GetData)).ToArray();
            output.WriteLine($"getChildren per participant after the handovers: [{string.Join(", ", childReads)}]; getData: [{string.Join(", ", dataReads)}]");
            Assert.Equal([0L, 1, 1, 1, 1], childReads);
            Assert.Equal([0L, 0, 0, 0, 0], dataReads);
        }
        finally
        {
            await DisposeAllAsync(participants);
        }
    }

    [Fact]
    public async Task Closing_the_leaders_session_hands_over_to_the_next_and_the_closed_one_reports_it()
    {
        string path = ZooKeeperFixture.UniquePath();
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var e1 = new LeaderElection(s1, path);
        await using var e2 = new LeaderElection(s2, path);
        var r1 = new LeadershipRecorder(e1);
        var r2 = new LeadershipRecorder(e2);
        await e1.StartAsync();
        LeaderTerm t1 = await e1.WaitForLeadershipAsync(Timeouts.Token());
        await e2.StartAsync();
        await WaitUntilJoinedAsync(e2);
        Assert.False(e2.IsLeader);

        await s1.DisposeAsync();
        (LeadershipLost lost, _) = await r1.NextLostAsync();
        Assert.Equal(LeadershipLossReason.Closed, lost.Reason);
        Assert.Equal(t1, lost.Term);
        (LeadershipAcquired acquired, _) = await r2.NextAcquiredAsync();
        Assert.True(acquired.Term.FencingToken > t1.FencingToken);
        Assert.Equal(s2.Client!.SessionId, acquired.Term.SessionId);
        Assert.False(e1.IsLeader);

        // Exactly one term and one loss, Closed: the server's close of the socket after closeSession is no Disconnected.
        Assert.Equal(new object[] { new LeadershipAcquired(t1, false), new LeadershipLost(t1, LeadershipLossReason.Closed) }, r1.Events);
    }

    [Fact]
    public async Task Tokens_strictly_increase_over_fifty_terms_with_step_downs_closes_and_expiries()
    {
        string path = ZooKeeperFixture.UniquePath();
        var participants = new List<(FaultProxy Proxy, ZooKeeperSession Session, LeaderElection Election)>();
        var tokens = new List<long>();
        var acquired = System.Threading.Channels.Channel.CreateUnbounded<(int Index, LeaderTerm Term)>();
        try
        {
            async Task AddAsync()
            {
                int index = participants.Count;
                FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
                ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1200));
                var election = new LeaderElection(session, path);
                election.Acquired += a =>
                {
                    if (!a.Resumed)
                    {
                        acquired.Writer.TryWrite((index, a.Term));
                    }
                };
                participants.Add((proxy, session, election));
                await election.StartAsync();
            }

            for (int i = 0; i < 3; i++)
            {
                await AddAsync();
            }

            int expiries = 0;
            for (int term = 0; term < 50; term++)
            {
                (int index, LeaderTerm leaderTerm) = await NextNewTermAsync(acquired.Reader);
                tokens.Add(leaderTerm.FencingToken);
                var (proxy, session, election) = participants[index];
                switch (term % 10)
                {
                    case 3:
                        // Expiry: the leader's connection goes silent past the session timeout; it re-enters in a new session.
                        proxy.Blackhole();
                        using (var restore = new CancellationTokenSource(Timeouts.Event))
                        {
                            await WaitForSessionEventAsync(session, SessionEventKind.Lost, restore.Token);
                        }

                        proxy.Restore();
                        expiries++;
                        break;
                    case 7:
                        // Kill: the leader's session is closed under it; a fresh participant joins.
                        await session.DisposeAsync();
                        await election.DisposeAsync();
                        await proxy.DisposeAsync();
                        await AddAsync();
                        break;
                    default:
                        await election.StepDownAsync(Timeouts.Token());
                        await election.StartAsync();
                        break;
                }
            }

            output.WriteLine($"{tokens.Count} terms, {expiries} expiries; tokens 0x{tokens[0]:x} … 0x{tokens[^1]:x}");
            for (int i = 1; i < tokens.Count; i++)
            {
                Assert.True(tokens[i] > tokens[i - 1], $"term {i}: token 0x{tokens[i]:x} is not above 0x{tokens[i - 1]:x}");
            }
        }
        finally
        {
            foreach (var (proxy, session, election) in participants)
            {
                await election.DisposeAsync();
                await session.DisposeAsync();
                await proxy.DisposeAsync();
            }
        }

        static async Task<(int, LeaderTerm)> NextNewTermAsync(System.Threading.Channels.ChannelReader<(int, LeaderTerm)> reader)
        {
            using var timeout = new CancellationTokenSource(Timeouts.Event);
            return await reader.ReadAsync(timeout.Token);
        }
    }

    [Fact]
    public async Task DisposeAsync_deletes_the_node_stops_every_background_task_and_raises_nothing_after()
    {
        string path = ZooKeeperFixture.UniquePath();
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperSession other = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        var leader = new LeaderElection(session, path);
        var follower = new LeaderElection(other, path);
        var recorder = new LeadershipRecorder(follower);
        await leader.StartAsync();
        await leader.WaitForLeadershipAsync(Timeouts.Token());
        await follower.StartAsync();
        await WaitUntilJoinedAsync(follower);
        string followerNode = follower.NodePath!;

        // The follower is mid-wait on its predecessor's watch; disposing it must end that and delete its node.
        await follower.DisposeAsync();
        Assert.Equal(0, follower.RunningBackgroundTasks);
        Assert.Null(await observer.ExistsAsync(followerNode));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => follower.WaitForLeadershipAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => follower.StartAsync());

        // The leader goes: nobody is left to take over, and the disposed follower raises nothing.
        string leaderNode = leader.NodePath!;
        await leader.DisposeAsync();
        Assert.False(leader.IsLeader);
        Assert.Equal(0, leader.RunningBackgroundTasks);
        Assert.Null(await observer.ExistsAsync(leaderNode));
        NodeChildren children = await observer.GetChildrenAsync(path);
        Assert.Empty(children.Children);
        Assert.Empty(recorder.Events);

        // The session owner is not the election's: it is still usable.
        Assert.Equal(ZooKeeperState.Connected, session.State);
    }

    [Fact]
    public async Task A_leader_whose_node_is_deleted_by_someone_else_loses_and_re_enters()
    {
        string path = ZooKeeperFixture.UniquePath();
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperClient admin = await fixture.ConnectAsync();
        await using var e1 = new LeaderElection(s1, path);
        await using var e2 = new LeaderElection(s2, path);
        var r1 = new LeadershipRecorder(e1);
        var r2 = new LeadershipRecorder(e2);
        await e1.StartAsync();
        LeaderTerm t1 = await e1.WaitForLeadershipAsync(Timeouts.Token());
        await e2.StartAsync();
        await WaitUntilJoinedAsync(e2);

        await admin.DeleteAsync(t1.NodePath);
        (LeadershipLost lost, _) = await r1.NextLostAsync();
        Assert.Equal(LeadershipLossReason.NodeLost, lost.Reason);
        (LeadershipAcquired next, _) = await r2.NextAcquiredAsync();
        Assert.True(next.Term.FencingToken > t1.FencingToken);

        // e1 re-entered behind e2 with a new node, and leads again when e2 steps down, with a higher token still.
        await WaitUntilJoinedAsync(e1);
        Assert.NotEqual(t1.NodePath, e1.NodePath);
        await e2.StepDownAsync(Timeouts.Token());
        (LeadershipAcquired again, _) = await r1.NextAcquiredAsync();
        Assert.True(again.Term.FencingToken > next.Term.FencingToken);
    }

    internal static async Task WaitUntilJoinedAsync(LeaderElection election)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (election.NodePath is null)
        {
            await Task.Delay(10, timeout.Token);
        }

        await election.FlushForTestingAsync();
    }

    internal static async Task WaitForSessionEventAsync(ZooKeeperSession session, SessionEventKind kind, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(SessionEvent e)
        {
            if (e.Kind == kind)
            {
                seen.TrySetResult();
            }
        }

        session.Changed += Handler;
        try
        {
            await seen.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            session.Changed -= Handler;
        }
    }

    /// <summary>
    /// Barrier: a round trip on each participant's connection (delivers any notification the server sent before it),
    /// then the participant's executor (runs what the notification queued), then another round trip (sends any request
    /// that queued before it).
    /// </summary>
    private static async Task SettleAsync(IEnumerable<Participant> participants)
    {
        foreach (Participant participant in participants)
        {
            if (participant.Session.Client is { } client)
            {
                await client.ExistsAsync("/", null, Timeouts.Token());
                await participant.Election.FlushForTestingAsync();
                await client.ExistsAsync("/", null, Timeouts.Token());
            }
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<Participant> participants)
    {
        foreach (Participant participant in participants)
        {
            await participant.Election.DisposeAsync();
            await participant.Session.DisposeAsync();
            await participant.Proxy.DisposeAsync();
        }
    }

    private sealed record Participant(FaultProxy Proxy, ZooKeeperSession Session, LeaderElection Election, LeadershipRecorder Recorder);
}
