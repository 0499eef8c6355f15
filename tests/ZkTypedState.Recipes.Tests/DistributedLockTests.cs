using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>The Curator-compatible mutex: exclusion under contention, reentrancy, time-outs, and a paused holder fenced out.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed partial class DistributedLockTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Four_holders_in_four_sessions_exclude_each_other_and_tokens_increase_with_every_hold()
    {
        string path = ZooKeeperFixture.UniquePath("lock");
        const int Holders = 4;
        const int Rounds = 5;
        var sessions = new List<ZooKeeperSession>();
        var locks = new List<DistributedLock>();
        try
        {
            for (int i = 0; i < Holders; i++)
            {
                ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
                sessions.Add(session);
                locks.Add(new DistributedLock(session, path, new DistributedLockOptions { OwnerId = $"h{i}" }));
            }

            // The shared counter is deliberately read, yielded on, and written back: without exclusion, updates are lost.
            int counter = 0;
            int inside = 0;
            int maxInside = 0;
            var tokens = new ConcurrentQueue<long>();
            await Task.WhenAll(locks.Select(l => Task.Run(async () =>
            {
                for (int round = 0; round < Rounds; round++)
                {
                    await using DistributedLockHandle handle = await l.AcquireAsync(Timeouts.Token());
                    int now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref maxInside, now);
                    tokens.Enqueue(handle.FencingToken);
                    Assert.Matches(LockName(), handle.NodePath.Split('/')[^1]);
                    int read = counter;
                    await Task.Delay(2);
                    counter = read + 1;
                    Interlocked.Decrement(ref inside);
                }
            })));

            Assert.Equal(Holders * Rounds, counter);
            Assert.Equal(1, maxInside);
            long[] order = [.. tokens];
            Assert.Equal(order.Order(), order);
            Assert.Equal(order.Length, order.Distinct().Count());
            await using ZooKeeperClient observer = await fixture.ConnectAsync();
            Assert.Empty((await observer.GetChildrenAsync(path)).Children);
        }
        finally
        {
            foreach (DistributedLock l in locks)
            {
                await l.DisposeAsync();
            }

            foreach (ZooKeeperSession session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_instance_is_reentrant_a_timed_out_waiter_leaves_no_node_and_the_last_release_hands_over()
    {
        string path = ZooKeeperFixture.UniquePath("reentrant");
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await using var first = new DistributedLock(s1, path);
        await using var second = new DistributedLock(s2, path);

        DistributedLockHandle outer = await first.AcquireAsync(Timeouts.Token());
        DistributedLockHandle inner = await first.AcquireAsync(Timeouts.Token());
        Assert.Equal(outer.FencingToken, inner.FencingToken);
        Assert.Equal(outer.NodePath, inner.NodePath);
        Assert.Single((await observer.GetChildrenAsync(path)).Children);

        // The other instance times out and removes its waiting node.
        Assert.Null(await second.TryAcquireAsync(TimeSpan.FromMilliseconds(300), Timeouts.Token()));
        Assert.Equal([LatchNodes.NameOf(outer.NodePath)], (await observer.GetChildrenAsync(path)).Children);

        // One release of two: still held.
        await inner.DisposeAsync();
        await inner.DisposeAsync();
        Assert.True(first.IsHeld);
        Task<DistributedLockHandle> waiting = second.AcquireAsync(Timeouts.Token());
        DistributedLockHandle third = await first.TryAcquireAsync(TimeSpan.Zero) ?? throw new Xunit.Sdk.XunitException("a holding instance re-enters at once");
        Assert.Equal(outer.FencingToken, third.FencingToken);
        await third.DisposeAsync();
        Assert.False(waiting.IsCompleted);

        // The last release deletes the node: the waiter holds, with a higher token; the old handle's LostToken is cancelled.
        await outer.DisposeAsync();
        Assert.True(outer.LostToken.IsCancellationRequested);
        await using DistributedLockHandle next = await waiting.WaitAsync(Timeouts.Event);
        Assert.True(next.FencingToken > outer.FencingToken);
        Assert.False(first.IsHeld);
        Assert.True(second.IsHeld);

        // Cancelling a waiter deletes its node too.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.AcquireAsync(cancel.Token));
        Assert.Equal([LatchNodes.NameOf(next.NodePath)], (await observer.GetChildrenAsync(path)).Children);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = first.TryAcquireAsync(TimeSpan.FromSeconds(-2)); });
    }

    [Fact]
    public async Task A_paused_holders_late_write_is_fenced_out_after_the_next_holder_wrote()
    {
        using var db = new SqliteDatabase();
        DbFencedResource resource = db.Resource("inventory");
        await resource.EnsureCreatedAsync();
        await db.ExecuteAsync("CREATE TABLE stock (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, token INTEGER NOT NULL)");
        string path = ZooKeeperFixture.UniquePath("paused-lock");
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1500), presumedExpiryFraction: 10);
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var lock1 = new DistributedLock(s1, path);
        await using var lock2 = new DistributedLock(s2, path);

        DistributedLockHandle held1 = await lock1.AcquireAsync(Timeouts.Token());
        Task<DistributedLockHandle> waiting = lock2.AcquireAsync(Timeouts.Token());

        // Holder 1 freezes (blackholed, no local expiry): the server expires its session and holder 2 gets the lock.
        proxy.Blackhole();
        await using DistributedLockHandle held2 = await waiting.WaitAsync(Timeouts.Event);
        Assert.True(held2.FencingToken > held1.FencingToken);
        await resource.WriteAsync(held2.FencingToken, (w, ct) => SetStockAsync(w, 7, ct));

        // Holder 1 wakes and writes with its old token: refused, nothing changed.
        FencedOutException fenced = await Assert.ThrowsAsync<FencedOutException>(() => resource.WriteAsync(held1.FencingToken, (w, ct) => SetStockAsync(w, 99, ct)));
        Assert.Equal(held2.FencingToken, fenced.HighestToken);
        Assert.Equal([(7L, held2.FencingToken)], await db.QueryAsync("SELECT qty, token FROM stock", r => (r.GetInt64(0), r.GetInt64(1))));

        // Once it hears from the server, holder 1 learns the hold is over.
        proxy.Restore();
        await Task.Delay(Timeout.Infinite, held1.LostToken).ContinueWith(_ => { }).WaitAsync(Timeouts.Event);
        Assert.False(held1.IsHeld);
        Assert.False(lock1.IsHeld);
        await held1.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_while_the_create_is_in_flight_returns_at_once_and_the_node_is_deleted_when_its_reply_comes()
    {
        string path = ZooKeeperFixture.UniquePath("cancel-create");
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await ProtectedCreateTests.CreatePathAsync(observer, path);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString);
        var slowLock = new DistributedLock(session, path);
        try
        {
            // Every byte is held back OneWay in each direction, so the create's reply cannot reach the client before
            // 2 × OneWay after the acquisition started. OneWay is kept small enough for the session to survive the
            // delayed pings (ping round trip 2 × OneWay + ping interval < read timeout, 2/3 of the 4 s session).
            TimeSpan oneWay = TimeSpan.FromMilliseconds(500);
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await observer.GetChildrenAsync(path, e => created.TrySetResult());
            proxy.ResetCounters();
            proxy.Delay = oneWay;
            using var cancel = new CancellationTokenSource();
            var sinceStart = System.Diagnostics.Stopwatch.StartNew();
            Task<DistributedLockHandle> acquiring = slowLock.AcquireAsync(cancel.Token);
            while (proxy.GetRequestCount(ZooKeeperOpCodes.Create2) + proxy.GetRequestCount(ZooKeeperOpCodes.Create) == 0)
            {
                Assert.True(sinceStart.Elapsed < Timeouts.Event, "the create was never sent");
                await Task.Delay(5);
            }

            // The create has reached the server; its reply is still in the proxy. Cancelling must not wait for it.
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquiring.WaitAsync(Timeouts.Event));
            TimeSpan returnedAfter = sinceStart.Elapsed;
            output.WriteLine($"cancelled acquisition returned {returnedAfter.TotalMilliseconds:0} ms after it started; the reply could come from {(2 * oneWay).TotalMilliseconds:0} ms");
            Assert.False(slowLock.IsHeld);

            // Not a speed figure: the reply's earliest arrival is the contract's line. Returning after it could mean the
            // acquisition waited for the reply; the slack for noticing the create and cancelling is a whole OneWay (the
            // proxy's timer may end a delay a tick early: milliseconds, against that slack).
            Assert.True(returnedAfter < 2 * oneWay, $"the cancelled acquisition returned {returnedAfter.TotalMilliseconds:0} ms after it started, when the create's reply could have arrived (after {(2 * oneWay).TotalMilliseconds:0} ms)");

            // The create still lands on the server; its node is deleted once the reply names it, and the next
            // acquirer is alone under the lock path.
            await created.Task.WaitAsync(Timeouts.Event);
            await slowLock.DisposeAsync();
            Assert.Empty((await observer.GetChildrenAsync(path)).Children);
            await using ZooKeeperSession direct = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
            await using var nextLock = new DistributedLock(direct, path);
            await using DistributedLockHandle next = await nextLock.AcquireAsync(Timeouts.Token());
            Assert.Equal([SequentialNodeNames.NameOf(next.NodePath)], (await observer.GetChildrenAsync(path)).Children);
        }
        finally
        {
            await slowLock.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_waiter_whose_session_is_presumed_lost_requeues_in_its_next_session_and_its_old_node_is_deleted()
    {
        string path = ZooKeeperFixture.UniquePath("requeue");
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession direct = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperSession flaky = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromSeconds(4), presumedExpiryFraction: 0.25);
        await using var holder = new DistributedLock(direct, path);
        await using var waiter = new DistributedLock(flaky, path);
        DistributedLockHandle held = await holder.AcquireAsync(Timeouts.Token());
        Task<DistributedLockHandle> waiting = waiter.AcquireAsync(Timeouts.Token());
        string oldNode = (await WaitForChildrenAsync(observer, path, c => c.Count == 2)).Single(c => c != SequentialNodeNames.NameOf(held.NodePath));

        // The waiter's session is presumed lost (the server still has it, with the node): it re-queues in a new session
        // and deletes its old node from there.
        long oldSession = flaky.Client!.SessionId;
        var sincePartition = System.Diagnostics.Stopwatch.StartNew();

        // Cut, not blackholed: the server keeps the session either way, but a new session's first attempt made before
        // the restore below must be refused at once, not swallowed by a blackhole (its handshake would then wait out the
        // 2 s connect timeout, and the old node could go with the server's expiry first: seen once, 4375 ms).
        proxy.Cut();
        await ElectionTests.WaitForSessionEventAsync(flaky, SessionEventKind.Lost, Timeouts.Token());
        proxy.Restore();
        IReadOnlyList<string> requeued = await WaitForChildrenAsync(observer, path, c => c.Count == 2 && !c.Contains(oldNode));

        // The server would expire the old session (and its node) only 4 s after it last heard from it.
        Assert.True(sincePartition.Elapsed < TimeSpan.FromSeconds(3.8), $"the old node went after {sincePartition.ElapsedMilliseconds} ms: with the server's expiry, not deleted from the new session");
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await using DistributedLockHandle next = await waiting.WaitAsync(Timeouts.Event);
        Assert.NotEqual(oldSession, next.SessionId);
        Assert.Contains(SequentialNodeNames.NameOf(next.NodePath), requeued);
        Assert.True(next.FencingToken > held.FencingToken);
    }

    private static async Task<IReadOnlyList<string>> WaitForChildrenAsync(ZooKeeperClient observer, string path, Func<IReadOnlyList<string>, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            IReadOnlyList<string> children = (await observer.GetChildrenAsync(path, null, timeout.Token)).Children;
            if (condition(children))
            {
                return children;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static async Task<int> SetStockAsync(DbFencedWrite write, int qty, CancellationToken ct)
    {
        await using var command = write.CreateCommand(
            "INSERT INTO stock (id, qty, token) VALUES (1, @q, @t) ON CONFLICT(id) DO UPDATE SET qty = excluded.qty, token = excluded.token",
            ("q", qty),
            ("t", write.FencingToken));
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int witnessed = Interlocked.CompareExchange(ref target, value, seen);
            if (witnessed == seen)
            {
                return;
            }

            seen = witnessed;
        }
    }

    [GeneratedRegex("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\\d{10}$")]
    private static partial Regex LockName();
}
