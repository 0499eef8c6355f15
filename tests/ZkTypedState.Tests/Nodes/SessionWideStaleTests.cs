using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>
/// "Connected / stale" is session-wide: a disconnect and a re-attach are O(changed) — the runtime tells only the nodes
/// with Signaled subscribers and those with something to do — while every value still reads exactly as documented
/// (Stale while disconnected, Fresh again after Reconnected, StatusChanged/Resynced for subscribers, in stream order).
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class SessionWideStaleTests(RuntimeServerFixture fixture)
{
    private const int Count = 300;

    [Fact]
    public async Task A_reconnect_tells_only_the_changed_and_subscribed_nodes_yet_every_value_reads_Stale_then_Fresh()
    {
        string root = RuntimeServerFixture.UniquePath("wide");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => writer.CreateAsync($"{root}/n{i:D3}", RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""))));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        IZNode<Counter>[] nodes = [.. Enumerable.Range(0, Count).Select(i => family.Get($"n{i:D3}"))];

        // One watched node (Signaled), three changed nodes awaited by their signals, one changed node with only a
        // Changed subscriber (not a Signaled subscriber: the runtime learns it must act from its watch firing).
        var order = new ConcurrentQueue<string>();
        IZNode<Counter> watched = nodes[0];
        var watchedResynced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watched.Signaled += s =>
        {
            order.Enqueue($"signal {s.Kind} {s.Current.Status}");
            if (s.Kind == ZNodeSignalKind.Resynced)
            {
                watchedResynced.TrySetResult();
            }
        };
        int[] signalled = [50, 150, 250];
        Task[] resynced = [.. signalled.Select(i => ResyncedTo(nodes[i], i + 1000))];
        IZNode<Counter> quiet = nodes[100];
        var quietChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        quiet.Changed += c =>
        {
            if (c.Current.Value.Count == 1100)
            {
                quietChanged.TrySetResult();
            }
        };

        int freshWhenDisconnectedHeard = -1, freshWhenReconnectedHeard = -1;
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.SessionChanged += e =>
        {
            if (e.Kind == SessionEventKind.Disconnected)
            {
                order.Enqueue("session Disconnected");
                freshWhenDisconnectedHeard = nodes.Count(n => n.Status == ZNodeStatus.Fresh);
                disconnected.TrySetResult();
            }
            else if (e.Kind == SessionEventKind.Reconnected)
            {
                order.Enqueue("session Reconnected");
                freshWhenReconnectedHeard = nodes.Count(n => n.Status == ZNodeStatus.Fresh);
                reconnected.TrySetResult();
            }
        };

        proxy.Cut();
        await disconnected.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(0, freshWhenDisconnectedHeard);
        Assert.All(nodes.Select((n, i) => (n.Current, i)), x =>
        {
            Assert.Equal(ZNodeStatus.Stale, x.Current.Status);
            Assert.Equal(x.i, x.Current.Value.Count);
            Assert.NotNull(x.Current.Stat);
        });

        foreach (int i in signalled.Append(100))
        {
            await writer.SetDataAsync($"{root}/n{i:D3}", RuntimeServerFixture.Json($$"""{"Count":{{i + 1000}}}"""));
        }

        long readsBefore = runtime.ReadsIssued;
        proxy.Restore();
        await Task.WhenAll([.. resynced, watchedResynced.Task, quietChanged.Task, reconnected.Task]).WaitAsync(Timeouts.Event);

        Assert.Equal(0, freshWhenReconnectedHeard);
        Assert.Equal(["signal StatusChanged Stale", "session Disconnected", "session Reconnected", "signal Resynced Fresh"], order);
        for (int i = 0; i < Count; i++)
        {
            ZNodeSnapshot<Counter> s = nodes[i].Current;
            Assert.Equal(ZNodeStatus.Fresh, s.Status);
            Assert.Equal(i is 50 or 100 or 150 or 250 ? i + 1000 : i, s.Value.Count);
        }

        Assert.Equal(4, runtime.ReadsIssued - readsBefore);

        // Told individually: the 4 Signaled subscribers and the changed node whose watch fired while away, not 300.
        Assert.InRange(runtime.LastReconnectTold, 4, 5);
        Assert.Equal(0, runtime.PendingReconnectCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_bound_while_disconnected_reads_Fresh_after_the_re_attach_without_any_subscriber()
    {
        string root = RuntimeServerFixture.UniquePath("lostread");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        using var session = new SessionEvents(runtime);

        proxy.Cut();
        await session.FirstAsync(SessionEventKind.Disconnected);

        // Bound while disconnected: its first read waits for the connection and is told nothing by a subscriber.
        await writer.CreateAsync(root + "/b", RuntimeServerFixture.Json("""{"Count":2}"""));
        IZNode<Counter> late = family.Get("b");
        Assert.Equal(ZNodeStatus.Loading, late.Status);
        proxy.Restore();
        await session.FirstAsync(SessionEventKind.Reconnected);
        await late.WaitForLoadedAsync(Timeouts.Token());

        Assert.Equal(ZNodeStatus.Fresh, late.Status);
        Assert.Equal(2, late.Value.Count);
        Assert.Equal(ZNodeStatus.Fresh, family.Get("a").Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_discovered_family_loads_with_one_read_per_member_pipelined_without_a_cap_by_default()
    {
        string root = RuntimeServerFixture.UniquePath("bulk");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => writer.CreateAsync($"{root}/n{i:D3}", RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""))));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());

        Assert.Equal(0, runtime.Options.MaxConcurrentReads);
        Assert.Equal(Count, family.Members.Count);
        for (int i = 0; i < Count; i++)
        {
            ZNodeSnapshot<Counter> s = family.Get($"n{i:D3}").Current;
            Assert.Equal(ZNodeStatus.Fresh, s.Status);
            Assert.Equal(i, s.Value.Count);
        }

        Assert.Equal(Count, runtime.ReadsIssued);
        Assert.True(runtime.PeakReadsInFlight > 1, $"the reads were not pipelined (peak {runtime.PeakReadsInFlight} in flight)");
        await host.StopAsync();
    }

    private static Task ResyncedTo(IZNode<Counter> node, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Signaled += s =>
        {
            if (s.Kind == ZNodeSignalKind.Resynced && s.Current.Status == ZNodeStatus.Fresh && s.Current.Value.Count == count)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
