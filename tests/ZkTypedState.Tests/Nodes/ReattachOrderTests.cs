using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>
/// "No value changes in the new connection before the app heard Reconnected", even when the client's answers outrun the
/// session event: the session owner delivers Reconnected through its own executor, while answers are applied where
/// they arrive. An answer that arrives before the runtime took in the re-attach is parked and applied right after.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ReattachOrderTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Answers_that_arrive_before_the_runtime_hears_Reconnected_change_nothing_until_after_the_app_heard_it()
    {
        string root = RuntimeServerFixture.UniquePath("parked");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var zk = host.Services.GetRequiredService<ZooKeeperSession>();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        using var session = new SessionEvents(runtime);

        // Holds the session owner's executor once it has passed Disconnected on (the runtime subscribed first), so the
        // owner's Reconnected waits behind it while the client re-attaches and answers reads on the new connection.
        using var hold = new ManualResetEventSlim(false);
        int held = 0;
        zk.Changed += e =>
        {
            if (e.Kind == SessionEventKind.Disconnected && Interlocked.Exchange(ref held, 1) == 0)
            {
                hold.Wait(Timeouts.Event);
            }
        };

        var order = new ConcurrentQueue<string>();
        try
        {
            proxy.Cut();
            await session.FirstAsync(SessionEventKind.Disconnected);
            await writer.CreateAsync(root + "/b", RuntimeServerFixture.Json("""{"Count":3}"""));
            IZNode<Counter> late = family.Get("b");
            late.Changed += c => order.Enqueue($"b {c.Current.Value.Count}");
            runtime.SessionChanged += e => order.Enqueue($"session {e.Kind}");
            proxy.Restore();

            // Queued in the client behind b's read: once this is answered, so was b's read, on the new connection.
            await zk.Client!.ExistsAsync(root, cancellationToken: Timeouts.Token());
            Assert.Equal(ZNodeStatus.Loading, late.Status);
            Assert.Equal(0, late.Value.Count);
            Assert.Empty(order);
            Assert.Equal(ZNodeStatus.Stale, family.Get("a").Status);

            hold.Set();
            await session.FirstAsync(SessionEventKind.Reconnected);
            await late.WaitForLoadedAsync(Timeouts.Token());

            Assert.Equal(ZNodeStatus.Fresh, late.Status);
            Assert.Equal(3, late.Value.Count);
            Assert.Equal(["session Reconnected", "b 3"], order);
            Assert.Equal(ZNodeStatus.Fresh, family.Get("a").Status);
        }
        finally
        {
            hold.Set();
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task A_member_created_while_away_is_added_only_after_the_app_heard_Reconnected()
    {
        string root = RuntimeServerFixture.UniquePath("parkedlist");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var zk = host.Services.GetRequiredService<ZooKeeperSession>();
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        using var session = new SessionEvents(runtime);
        using var hold = new ManualResetEventSlim(false);
        int held = 0;
        zk.Changed += e =>
        {
            if (e.Kind == SessionEventKind.Disconnected && Interlocked.Exchange(ref held, 1) == 0)
            {
                hold.Wait(Timeouts.Event);
            }
        };

        var order = new ConcurrentQueue<string>();
        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        family.MemberAdded += e =>
        {
            order.Enqueue($"added {e.Name}");
            added.TrySetResult();
        };
        runtime.SessionChanged += e => order.Enqueue($"session {e.Kind}");

        // The client raises WatchesRestored on its event thread after the watch events SetWatches fired, whose handler
        // (the family's child watch) sent the re-listing: a probe sent from it is answered after that listing.
        ZooKeeperClient client = zk.Client!;
        var probed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.WatchesRestored += restored => client.ExistsAsync(root).ContinueWith(t => probed.TrySetResult(t.Exception is null), TaskScheduler.Default);
        try
        {
            proxy.Cut();
            await session.FirstAsync(SessionEventKind.Disconnected);
            order.Clear();
            await writer.CreateAsync(root + "/c", RuntimeServerFixture.Json("""{"Count":3}"""));
            proxy.Restore();
            Assert.True(await probed.Task.WaitAsync(Timeouts.Event));

            Assert.Empty(order);
            Assert.Equal(["a"], family.Members);

            hold.Set();
            await added.Task.WaitAsync(Timeouts.Event);
            await family.Get("c").WaitForLoadedAsync(Timeouts.Token());

            Assert.Equal(["session Reconnected", "added c"], order);
            Assert.Equal(3, family.Get("c").Value.Count);
            Assert.Equal(ZNodeStatus.Fresh, family.Get("c").Status);
        }
        finally
        {
            hold.Set();
        }

        await host.StopAsync();
    }
}
