using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>
/// The paused leader (t1–t5): C1 leads and queues a write, freezes past its session timeout (t1–t2), C2 is elected and
/// writes (t3), C1's delayed write arrives (t4) and only then does C1 learn its session expired (t5).
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class PausedLeaderTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_stale_leaders_delayed_write_is_fenced_out_and_the_database_keeps_only_the_new_leaders_write()
    {
        using var db = new SqliteDatabase();
        DbFencedResource resource = db.Resource("orders");
        await resource.EnsureCreatedAsync();
        await db.ExecuteAsync("CREATE TABLE orders_state (id INTEGER PRIMARY KEY, value TEXT NOT NULL, token INTEGER NOT NULL)");

        string path = ZooKeeperFixture.UniquePath("paused");
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);

        // Worker 1 is "frozen" by a blackhole. A frozen process runs no timers either, so its client is not allowed to
        // presume the expiry by itself (fraction 10): it learns of it from the server, at t5.
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1500), presumedExpiryFraction: 10);
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var w1 = new LeaderElection(s1, path, new LeaderElectionOptions { ParticipantId = "worker-1" });
        await using var w2 = new LeaderElection(s2, path, new LeaderElectionOptions { ParticipantId = "worker-2" });
        var r1 = new LeadershipRecorder(w1);
        await w1.StartAsync();
        LeaderTerm term1 = await w1.WaitForLeadershipAsync(Timeouts.Token());
        await w2.StartAsync();
        await ElectionTests.WaitUntilJoinedAsync(w2);
        Assert.False(w2.IsLeader);
        long oldSession = s1.Client!.SessionId;
        var lostSession = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        s1.Changed += e =>
        {
            if (e.Kind == SessionEventKind.Lost)
            {
                lostSession.TrySetResult(e);
            }
        };

        // t1: worker 1, as leader, prepares a write with its token; then it freezes before the write reaches the database.
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task delayedWrite = Task.Run(async () =>
        {
            await wake.Task;
            await resource.WriteAsync(term1.FencingToken, (write, ct) => UpsertAsync(write, "written by worker-1", ct));
        });
        proxy.Blackhole();

        // t2–t3: the server expires worker 1's session, worker 2 is elected and writes.
        LeaderTerm term2 = await w2.WaitForLeadershipAsync(Timeouts.Token());
        Assert.True(term2.FencingToken > term1.FencingToken);
        await resource.WriteAsync(term2.FencingToken, (write, ct) => UpsertAsync(write, "written by worker-2", ct));

        // t4: worker 1 wakes; its delayed write reaches the database and is refused.
        wake.SetResult();
        FencedOutException fenced = await Assert.ThrowsAsync<FencedOutException>(() => delayedWrite);
        Assert.Equal(term1.FencingToken, fenced.Token);
        Assert.Equal(term2.FencingToken, fenced.HighestToken);
        Assert.Equal("orders", fenced.Resource);

        // Worker 1's ZooKeeper write, guarded by its old term, waits for the connection and is refused by the server.
        string marker = path + "-marker";
        Task<IReadOnlyList<OpResult>> staleZkWrite = w1.WriteAsLeaderAsync(term1, [new Op.Create(marker, Encoding.UTF8.GetBytes("worker-1"))]);

        // t5: worker 1 reconnects and learns its session expired.
        proxy.Restore();
        SessionEvent lost = await lostSession.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(oldSession, lost.SessionId);
        Assert.Equal(ZooKeeperState.Expired, lost.ClientState);
        LeadershipLostException refused = await Assert.ThrowsAsync<LeadershipLostException>(() => staleZkWrite);
        Assert.Equal(term1, refused.Term);
        output.WriteLine($"stale ZooKeeper write: {refused.Message}");

        // The database holds worker 2's write only; the fence holds worker 2's token.
        List<(string Value, long Token)> rows = await db.QueryAsync("SELECT value, token FROM orders_state", r => (r.GetString(0), r.GetInt64(1)));
        Assert.Equal([("written by worker-2", term2.FencingToken)], rows);
        Assert.Equal(term2.FencingToken, await resource.GetHighestTokenAsync());

        // The new leader's guarded ZooKeeper write goes through; the stale one left nothing behind.
        await w2.WriteAsLeaderAsync([new Op.Create(marker, Encoding.UTF8.GetBytes("worker-2"))]);
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        Assert.Equal("worker-2", Encoding.UTF8.GetString((await observer.GetDataAsync(marker)).Data));

        // Worker 1 re-enters in its new session, behind worker 2.
        await ElectionTests.WaitUntilJoinedAsync(w1);
        Assert.False(w1.IsLeader);
        IReadOnlyList<ElectionParticipant> participants = await w2.GetParticipantsAsync();
        Assert.Equal(["worker-2", "worker-1"], participants.Select(p => p.ParticipantId));
        Assert.Contains(r1.Events, e => e is LeadershipLost { Reason: LeadershipLossReason.Disconnected });
    }

    [Fact]
    public async Task A_guarded_ZooKeeper_write_fails_on_the_server_check_once_the_terms_node_is_gone_and_applies_nothing()
    {
        string path = ZooKeeperFixture.UniquePath("guard");
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperClient admin = await fixture.ConnectAsync();
        await using var election = new LeaderElection(s1, path);
        var recorder = new LeadershipRecorder(election);
        await election.StartAsync();
        LeaderTerm term = await election.WaitForLeadershipAsync(Timeouts.Token());
        string target = path + "-value";

        IReadOnlyList<OpResult> ok = await election.WriteAsLeaderAsync(term, [new Op.Create(target, Encoding.UTF8.GetBytes("1"))]);
        Assert.IsType<OpResult.Create>(Assert.Single(ok));

        // The term's node is deleted behind the leader's back; whatever the leader believes locally, the server refuses.
        await admin.DeleteAsync(term.NodePath);
        LeadershipLostException refused = await Assert.ThrowsAsync<LeadershipLostException>(
            () => election.WriteAsLeaderAsync(term, [new Op.SetData(target, Encoding.UTF8.GetBytes("2"))]));
        Assert.IsType<NoNodeException>(refused.InnerException);
        Assert.Equal("1", Encoding.UTF8.GetString((await admin.GetDataAsync(target)).Data));

        // A failing operation of the caller's own is reported as itself, not as lost leadership.
        Assert.Equal(LeadershipLossReason.NodeLost, (await recorder.NextLostAsync()).Event.Reason);
        LeaderTerm next = (await recorder.NextAcquiredAsync()).Event.Term;
        Assert.True(next.FencingToken > term.FencingToken);
        await Assert.ThrowsAsync<NodeExistsException>(() => election.WriteAsLeaderAsync(next, [new Op.Create(target, default)]));

        // Without a current term nothing is sent.
        await election.StepDownAsync(Timeouts.Token());
        await Assert.ThrowsAsync<LeadershipLostException>(() => election.WriteAsLeaderAsync([new Op.Delete(target)]));
        Assert.NotNull(await admin.ExistsAsync(target));
    }

    private static async Task<int> UpsertAsync(DbFencedWrite write, string value, CancellationToken ct)
    {
        await using var command = write.CreateCommand(
            "INSERT INTO orders_state (id, value, token) VALUES (1, @v, @t) ON CONFLICT(id) DO UPDATE SET value = excluded.value, token = excluded.token",
            ("v", value),
            ("t", write.FencingToken));
        return await command.ExecuteNonQueryAsync(ct);
    }
}
