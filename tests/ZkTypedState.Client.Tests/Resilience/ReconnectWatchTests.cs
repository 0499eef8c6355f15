using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>Recoverable loss: the session is re-attached and SetWatches replays exactly what changed while away.</summary>
public sealed class ReconnectWatchTests(OwnServerFixture fixture, ITestOutputHelper output) : IClassFixture<OwnServerFixture>
{
    private const int SetWatchesOp = 101;
    private const int SetWatches2Op = 105;
    private const int GetDataOp = 4;

    [Fact]
    public async Task After_a_server_restart_only_the_10_of_1000_watches_whose_nodes_changed_fire_with_one_SetWatches()
    {
        ZooKeeperTestServer server = fixture.Server;
        await using var proxy = await FaultProxy.StartAsync(server);
        string root = ZooKeeperServerFixture.UniquePath("restart");
        var fired = new ConcurrentQueue<WatchedEvent>();
        var tenFired = new TaskCompletionSource();
        Action<WatchedEvent> watcher = e =>
        {
            fired.Enqueue(e);
            if (fired.Count == 10)
            {
                tenFired.TrySetResult();
            }
        };

        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);
        await using (var setup = await fixture.ConnectAsync(server.ConnectionString))
        {
            await setup.CreateAsync(root);
            await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => setup.CreateAsync($"{root}/n{i:D4}", Encoding.UTF8.GetBytes("v0"))));
        }

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => client.GetDataAsync($"{root}/n{i:D4}", watcher)));
        var restored = new TaskCompletionSource<WatchesRestored>();
        client.WatchesRestored += r => restored.TrySetResult(r);

        proxy.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        string[] changed = Enumerable.Range(0, 10).Select(i => $"{root}/n{i * 97:D4}").ToArray();
        await using (var writer = await fixture.ConnectAsync(server.ConnectionString))
        {
            foreach (string path in changed)
            {
                await writer.SetDataAsync(path, Encoding.UTF8.GetBytes("v1"));
            }
        }

        TimeSpan restartBegan = clock.Elapsed;
        await server.RestartAsync();
        proxy.ResetCounters();
        TimeSpan restoredAt = clock.Elapsed;
        proxy.Restore();

        var connected = await states.WaitForAsync(ZooKeeperState.Connected);
        await tenFired.Task.WaitAsync(Timeouts.Event);
        TimeSpan tenFiredAt = clock.Elapsed;
        WatchesRestored restore = await restored.Task.WaitAsync(Timeouts.Event);
        await EventRecorder.FlushAsync(client);

        Assert.Equal(changed.Order(), fired.Select(e => e.Path).Order());
        Assert.All(fired, e => Assert.Equal(WatchEventType.NodeDataChanged, e.Type));
        Assert.Equal(1000, restore.WatchedPaths);
        IReadOnlyDictionary<int, long> requests = proxy.GetRequestCounts();
        Assert.Equal(1, requests.GetValueOrDefault(SetWatchesOp) + requests.GetValueOrDefault(SetWatches2Op));
        Assert.Equal(0, requests.GetValueOrDefault(GetDataOp));
        output.WriteLine($"server restart began -> SyncConnected: {(connected.At - restartBegan).TotalMilliseconds:0} ms (restart itself {(restoredAt - restartBegan).TotalMilliseconds:0} ms)");
        output.WriteLine($"restore -> SyncConnected: {(connected.At - restoredAt).TotalMilliseconds:0} ms; restore -> 10 watches fired: {(tenFiredAt - restoredAt).TotalMilliseconds:0} ms");
        output.WriteLine($"request frames after reconnect: {string.Join(", ", requests.Select(kv => $"op {kv.Key}: {kv.Value}"))}; connect requests: {proxy.ConnectRequests}");
    }

    [Fact]
    public async Task Child_exist_and_data_watches_catch_up_on_creations_and_deletions_made_while_away()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        string root = ZooKeeperServerFixture.UniquePath("away");
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString);
        await using var writer = await fixture.ConnectAsync(fixture.Server.ConnectionString);
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/gone");
        await writer.CreateAsync(root + "/tree");
        var children = new EventRecorder();
        var exists = new EventRecorder();
        var data = new EventRecorder();
        var recursive = new EventRecorder();
        var untouched = new EventRecorder();
        await client.GetChildrenAsync(root, children.Watcher);
        Assert.Null(await client.ExistsAsync(root + "/new", exists.Watcher));
        await client.GetDataAsync(root + "/gone", data.Watcher);
        await client.AddWatchAsync(root + "/tree", AddWatchMode.PersistentRecursive, recursive.Watcher);
        await client.ExistsAsync(root + "/tree", untouched.Watcher);
        var restored = new TaskCompletionSource<WatchesRestored>();
        client.WatchesRestored += r => restored.TrySetResult(r);
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);

        proxy.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        await writer.CreateAsync(root + "/new");
        await writer.DeleteAsync(root + "/gone");
        await writer.CreateAsync(root + "/tree/missed");
        proxy.Restore();

        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, root), await children.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, root + "/new"), await exists.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDeleted, root + "/gone"), await data.NextAsync());
        WatchesRestored restore = await restored.Task.WaitAsync(Timeouts.Event);

        // Persistent watches get no catch-up: the change under /tree is not replayed, and the event says so.
        Assert.Equal([root + "/tree"], restore.PersistentRecursivePaths);
        Assert.Equal(0, recursive.Count);
        Assert.Equal(0, untouched.Count);
        await writer.CreateAsync(root + "/tree/after");
        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, root + "/tree/after"), await recursive.NextAsync());
        Assert.Equal(client.SessionId, restore.SessionId);
    }

    [Fact]
    public async Task Requests_in_flight_during_a_cut_all_fail_promptly_with_ConnectionLoss()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString);
        string path = ZooKeeperServerFixture.UniquePath("inflight");
        await client.CreateAsync(path);

        // Swallow the requests so they are certainly in flight (written, unanswered) when the connection is cut.
        proxy.Blackhole();
        Task<Stat>[] writes = Enumerable.Range(0, 100).Select(i => client.SetDataAsync(path, Encoding.UTF8.GetBytes(i.ToString()))).ToArray();
        await Harness.Poll.UntilAsync(() => client.InFlightRequests == 100, "all 100 requests are written");
        var clock = Stopwatch.StartNew();
        proxy.Cut();

        foreach (Task<Stat> write in writes)
        {
            await Assert.ThrowsAsync<ConnectionLossException>(() => write.WaitAsync(Timeouts.Event));
        }

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"In-flight requests took {clock.Elapsed} to fail.");
        proxy.Restore();
        await client.WaitForConnectedAsync(Timeouts.Token());
        await client.SetDataAsync(path, Encoding.UTF8.GetBytes("after"));
    }

    [Fact]
    public async Task Requests_issued_while_disconnected_are_sent_after_the_session_is_reattached()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString);
        long session = client.SessionId;
        var states = new StateRecorder(client, Stopwatch.StartNew());
        string path = ZooKeeperServerFixture.UniquePath("queued");

        proxy.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        Task<CreatedNode> create = client.CreateAsync(path, default, CreateMode.Ephemeral);
        proxy.Restore();

        CreatedNode created = await create.WaitAsync(Timeouts.Event);
        Assert.Equal(session, client.SessionId);
        Assert.Equal(session, created.Stat.EphemeralOwner);
    }

    [Fact]
    public async Task More_watches_than_fit_one_packet_are_re_registered_in_several_SetWatches_chunks()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString);
        string root = ZooKeeperServerFixture.UniquePath("chunks") + "/" + new string('p', 80);
        await client.CreateAsync(root[..root.LastIndexOf('/')]);
        await client.CreateAsync(root);
        var watch = new EventRecorder();

        // 2,000 paths of ~130 bytes: about 260 KB of paths, so at least two chunks of at most 128 KB.
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => client.CreateAsync($"{root}/{i:D6}-{new string('x', 30)}")));
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => client.ExistsAsync($"{root}/{i:D6}-{new string('x', 30)}", watch.Watcher)));
        var states = new StateRecorder(client, Stopwatch.StartNew());

        proxy.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        proxy.ResetCounters();
        await using (var writer = await fixture.ConnectAsync(fixture.Server.ConnectionString))
        {
            await writer.SetDataAsync($"{root}/{1999:D6}-{new string('x', 30)}", Encoding.UTF8.GetBytes("late"));
        }

        proxy.Restore();

        WatchedEvent fired = await watch.NextAsync();
        Assert.Equal($"{root}/{1999:D6}-{new string('x', 30)}", fired.Path);
        long packets = proxy.GetRequestCount(SetWatchesOp);
        Assert.InRange(packets, 2, 4);
        output.WriteLine($"2,000 watches re-registered in {packets} SetWatches packets");
    }
}
