using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

[Collection(RuntimeCollection.Name)]
public sealed class RuntimeResilienceTests(RuntimeServerFixture fixture, ITestOutputHelper output)
{
    private const int GetDataOp = 4;
    private const int ExistsOp = 3;

    [Fact]
    public async Task After_a_reconnect_only_the_10_of_1000_nodes_that_changed_are_re_read_and_notified()
    {
        string root = RuntimeServerFixture.UniquePath("thousand");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => writer.CreateAsync($"{root}/n{i:D4}", RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""))));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        var descriptor = Descriptors.Counters(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(descriptor), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        IZNode<Counter>[] nodes = Enumerable.Range(0, 1000).Select(i => family.Get($"n{i:D4}")).ToArray();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        var changes = new ConcurrentQueue<string>();
        var resynced = new TaskCompletionSource();
        int resyncedCount = 0;
        foreach (IZNode<Counter> node in nodes)
        {
            node.Changed += c => changes.Enqueue(c.Path);
            node.Signaled += s =>
            {
                if (s.Kind == ZNodeSignalKind.Resynced && Interlocked.Increment(ref resyncedCount) == 1000)
                {
                    resynced.TrySetResult();
                }
            };
        }

        using var session = new SessionEvents(runtime);
        proxy.Cut();
        await session.FirstAsync(SessionEventKind.Disconnected);
        Assert.All(nodes, n => Assert.Equal(ZNodeStatus.Stale, n.Status));
        int[] changed = Enumerable.Range(0, 10).Select(i => i * 97).ToArray();
        foreach (int i in changed)
        {
            await writer.SetDataAsync($"{root}/n{i:D4}", RuntimeServerFixture.Json($$"""{"Count":{{i + 10_000}}}"""));
        }

        long readsBefore = runtime.ReadsIssued;
        proxy.ResetCounters();
        var clock = Stopwatch.StartNew();
        proxy.Restore();
        await resynced.Task.WaitAsync(Timeouts.Event);
        TimeSpan toFresh = clock.Elapsed;

        Assert.Equal(changed.Select(i => $"{root}/n{i:D4}").Order(), changes.Order());
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(changed.Contains(i) ? i + 10_000 : i, nodes[i].Value.Count);
            Assert.Equal(ZNodeStatus.Fresh, nodes[i].Status);
        }

        IReadOnlyDictionary<int, long> requests = proxy.GetRequestCounts();
        Assert.Equal(10, runtime.ReadsIssued - readsBefore);
        Assert.Equal(10, requests.GetValueOrDefault(GetDataOp));
        Assert.Equal(0, requests.GetValueOrDefault(ExistsOp));
        output.WriteLine($"restore -> all 1000 fresh (10 re-read): {toFresh.TotalMilliseconds:0} ms; request frames after reconnect: {string.Join(", ", requests.Select(kv => $"op {kv.Key}: {kv.Value}"))}");
        await host.StopAsync();
    }

    [Fact]
    public async Task Reloading_many_nodes_is_pipelined_but_never_exceeds_the_cap_on_reads_in_flight()
    {
        string root = RuntimeServerFixture.UniquePath("capped");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => writer.CreateAsync($"{root}/n{i}", RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""))));
        var descriptor = Descriptors.Counters(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor), o => o.MaxConcurrentReads = 8);
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();

        IZNode<Counter>[] nodes = Enumerable.Range(0, 300).Select(i => family.Get($"n{i}")).ToArray();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());

        Assert.All(nodes.Select((n, i) => (n, i)), x => Assert.Equal(x.i, x.n.Value.Count));
        Assert.InRange(runtime.PeakReadsInFlight, 2, 8);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_family_member_bound_while_disconnected_loads_once_the_connection_returns()
    {
        string root = RuntimeServerFixture.UniquePath("late");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/first", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        var descriptor = Descriptors.Counters(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(descriptor), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        IZNode<Counter> first = family.Get("first");
        await first.WaitForLoadedAsync(Timeouts.Token());

        proxy.Cut();
        await NodeEvents<Counter>.WaitUntilAsync(first, s => s.Status == ZNodeStatus.Stale);
        // Not a member at startup (a discovered member would have been loaded then): created while the app is cut off.
        IZNode<Counter> late = family.Get("late");
        Assert.Equal(ZNodeStatus.Loading, late.Status);
        await writer.CreateAsync(root + "/late", RuntimeServerFixture.Json("""{"Count":7}"""));
        proxy.Restore();

        await late.WaitForLoadedAsync(Timeouts.Token());
        await NodeEvents<Counter>.WaitUntilAsync(late, s => s.Status == ZNodeStatus.Fresh);
        Assert.Equal(7, late.Value.Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_deleted_and_re_created_while_cut_off_is_noticed_even_with_the_same_version()
    {
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);
        ZNodeSnapshot<PaymentsConfig> before = node.Current;

        proxy.Cut();
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Stale);
        await writer.DeleteAsync(path);
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        proxy.Restore();

        ZNodeChange<PaymentsConfig> change = await events.NextChangeAsync();
        Assert.Equal(2, change.Current.Value.Limit);
        Assert.Equal(before.Stat!.Value.Version, change.Current.Stat!.Value.Version);
        Assert.True(change.Current.Mzxid > before.Mzxid);
        await host.StopAsync();
    }

    [Fact]
    public async Task On_session_expiry_every_value_is_invalidated_before_any_new_one_is_served_then_rebuilt_with_the_changes_made_meanwhile()
    {
        string root = RuntimeServerFixture.UniquePath("expiry");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await writer.CreateAsync(root + "/b", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        var descriptor = Descriptors.Counters(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(descriptor), o => o.SessionTimeout = TimeSpan.FromMilliseconds(1000));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        IZNode<Counter> a = family.Get("a");
        IZNode<Counter> b = family.Get("b");
        await host.Services.GetRequiredService<ZNodeRuntime>().WaitForAllLoadedAsync(Timeouts.Token());
        var aEvents = new NodeEvents<Counter>(a);
        long firstSession = host.Services.GetRequiredService<ZooKeeperSession>().Client!.SessionId;

        // A reader on another thread polls a throughout; after it first sees the loss it must never see the old value again.
        using var stop = new CancellationTokenSource();
        var observations = new List<ZNodeSnapshot<Counter>>();
        Task reader = Task.Run(() =>
        {
            ZNodeSnapshot<Counter>? last = null;
            while (!stop.IsCancellationRequested)
            {
                ZNodeSnapshot<Counter> current = a.Current;
                if (!ReferenceEquals(current, last))
                {
                    observations.Add(current);
                    last = current;
                }
            }
        });

        proxy.Blackhole();
        ZNodeSignal<Counter> lost = await aEvents.NextSignalAsync(ZNodeSignalKind.SessionLost);
        Assert.Equal(ZNodeStatus.Invalidated, lost.Current.Status);
        Assert.Equal(ZNodeStatus.Invalidated, b.Status);
        Assert.Equal(new Counter(), a.Value);
        HealthReport duringLoss = await HealthReportAssert.CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, duringLoss.Status);

        // The switch to the default is a change the application sees: it is notified (before the SessionLost signal).
        ZNodeChange<Counter> invalidated = await aEvents.NextChangeAsync();
        Assert.Equal(1, invalidated.Previous.Value.Count);
        Assert.Equal(ZNodeStatus.Invalidated, invalidated.Current.Status);
        Assert.Equal(new Counter(), invalidated.Current.Value);

        await writer.SetDataAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":2}"""));
        proxy.Restore();
        ZNodeChange<Counter> rebuilt = await aEvents.NextChangeAsync();
        await NodeEvents<Counter>.WaitUntilAsync(b, s => s.Status == ZNodeStatus.Fresh);
        stop.Cancel();
        await reader;

        Assert.Equal(2, rebuilt.Current.Value.Count);
        Assert.Equal(ZNodeStatus.Invalidated, rebuilt.Previous.Status);
        Assert.True(rebuilt.Current.SessionEpoch > 1);
        Assert.Equal(1, b.Value.Count);
        Assert.NotEqual(firstSession, host.Services.GetRequiredService<ZooKeeperSession>().Client!.SessionId);
        int firstLoss = observations.FindIndex(o => o.Status == ZNodeStatus.Invalidated);
        Assert.True(firstLoss >= 0, "the reader saw the invalidation");
        Assert.DoesNotContain(observations.Skip(firstLoss), o => o.Value.Count == 1);
        Assert.Equal(HealthStatus.Healthy, (await HealthReportAssert.CheckAsync(host)).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task With_ServeStaleAndRebuild_values_stay_served_as_stale_across_a_session_loss()
    {
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.SessionTimeout = TimeSpan.FromMilliseconds(1000);
                o.SessionLossPolicy = SessionLossPolicy.ServeStaleAndRebuild;
            });
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);

        proxy.Blackhole();
        ZNodeSignal<PaymentsConfig> lost = await events.NextSignalAsync(ZNodeSignalKind.SessionLost);
        Assert.Equal(ZNodeStatus.Stale, lost.Current.Status);
        Assert.Equal(1, lost.Current.Value.Limit);

        proxy.Restore();
        ZNodeSignal<PaymentsConfig> resynced = await events.NextSignalAsync(ZNodeSignalKind.Resynced);
        Assert.Equal(ZNodeStatus.Fresh, resynced.Current.Status);
        Assert.Equal(1, resynced.Current.Value.Limit);
        Assert.Equal(0, events.ChangeCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_host_fails_startup_when_the_initial_sync_times_out_unless_told_to_continue()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        string path = RuntimeServerFixture.UniquePath();

        await Assert.ThrowsAsync<TimeoutException>(() => RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.InitialSyncTimeout = TimeSpan.FromMilliseconds(500)));

        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.InitialSyncTimeout = TimeSpan.FromMilliseconds(500);
                o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
            });
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        Assert.Equal(ZNodeStatus.Loading, node.Status);
        Assert.Equal(HealthStatus.Degraded, (await HealthReportAssert.CheckAsync(host)).Status);

        proxy.Restore();
        await node.WaitForLoadedAsync(Timeouts.Token());
        Assert.Equal(ZNodeStatus.Missing, node.Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task Stopping_the_host_closes_the_session_and_leaves_no_connection()
    {
        int before = await fixture.Server.GetClientConnectionCountAsync();
        string path = RuntimeServerFixture.UniquePath();
        IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        ZooKeeperClient client = session.Client!;
        Assert.Equal(before + 1, await fixture.Server.GetClientConnectionCountAsync());

        await host.StopAsync();
        host.Dispose();

        Assert.Equal(ZooKeeperState.Closed, client.State);
        Assert.Equal(before, await fixture.Server.GetClientConnectionCountAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.GetConnectedClientAsync());
    }
}
