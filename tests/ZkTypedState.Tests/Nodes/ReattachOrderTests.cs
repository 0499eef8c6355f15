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
/// they arrive. An answer (or a family listing) that arrives before the runtime took in the re-attach is parked and
/// applied right after.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ReattachOrderTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Answers_that_arrive_before_the_runtime_hears_Reconnected_change_nothing_until_after_the_app_heard_it()
    {
        await using HeldReattach t = await HeldReattach.StartAsync(fixture, "parked");
        t.Cut();
        await t.Session.FirstAsync(SessionEventKind.Disconnected);
        await t.Writer.CreateAsync(t.Root + "/b", RuntimeServerFixture.Json("""{"Count":3}"""));
        IZNode<Counter> late = t.Family.Get("b");
        late.Changed += c => t.Order.Enqueue($"b {c.Current.Value.Count}");
        t.Proxy.Restore();

        // Queued in the client behind b's read: once this is answered, so was b's read, on the new connection.
        await t.Zk.Client!.ExistsAsync(t.Root, cancellationToken: Timeouts.Token());
        Assert.Equal(ZNodeStatus.Loading, late.Status);
        Assert.Equal(0, late.Value.Count);
        Assert.Empty(t.Order);
        Assert.Equal(ZNodeStatus.Stale, t.Family.Get("a").Status);

        t.Release();
        await t.Session.FirstAsync(SessionEventKind.Reconnected);
        await late.WaitForLoadedAsync(Timeouts.Token());

        Assert.Equal(ZNodeStatus.Fresh, late.Status);
        Assert.Equal(3, late.Value.Count);
        Assert.Equal(["session Reconnected", "b 3"], t.Order);
        Assert.Equal(ZNodeStatus.Fresh, t.Family.Get("a").Status);
    }

    [Fact]
    public async Task A_member_created_while_away_is_added_only_after_the_app_heard_Reconnected()
    {
        await using HeldReattach t = await HeldReattach.StartAsync(fixture, "parkedlist");
        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Family.MemberAdded += e =>
        {
            t.Order.Enqueue($"added {e.Name}");
            added.TrySetResult();
        };

        // The client raises WatchesRestored on its event thread after the watch events SetWatches fired, whose handler
        // (the family's child watch) sent the re-listing: a probe sent from it is answered after that listing.
        ZooKeeperClient client = t.Zk.Client!;
        var probed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.WatchesRestored += restored => client.ExistsAsync(t.Root).ContinueWith(p => probed.TrySetResult(p.Exception is null), TaskScheduler.Default);

        t.Cut();
        await t.Session.FirstAsync(SessionEventKind.Disconnected);
        await t.Writer.CreateAsync(t.Root + "/c", RuntimeServerFixture.Json("""{"Count":3}"""));
        t.Proxy.Restore();
        Assert.True(await probed.Task.WaitAsync(Timeouts.Event));

        Assert.Empty(t.Order);
        Assert.Equal(["a"], t.Family.Members);

        t.Release();
        await added.Task.WaitAsync(Timeouts.Event);
        await t.Family.Get("c").WaitForLoadedAsync(Timeouts.Token());

        Assert.Equal(["session Reconnected", "added c"], t.Order);
        Assert.Equal(3, t.Family.Get("c").Value.Count);
        Assert.Equal(ZNodeStatus.Fresh, t.Family.Get("c").Status);
    }

    /// <summary>
    /// A host on a family of counters under a fresh root (member "a"), behind a fault proxy, whose session owner's
    /// executor is held once it has passed Disconnected on (the runtime subscribed first): the owner's Reconnected then
    /// waits behind it, until <see cref="Release"/>, while the client re-attaches and answers on the new connection.
    /// </summary>
    private sealed class HeldReattach : IAsyncDisposable
    {
        private readonly ManualResetEventSlim _hold = new(false);
        private int _held;

        private HeldReattach(string root, ZooKeeperClient writer, FaultProxy proxy, IHost host)
        {
            Root = root;
            Writer = writer;
            Proxy = proxy;
            Host = host;
            Family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
            Runtime = host.Services.GetRequiredService<ZNodeRuntime>();
            Zk = host.Services.GetRequiredService<ZooKeeperSession>();
            Session = new SessionEvents(Runtime);
            Zk.Changed += e =>
            {
                if (e.Kind == SessionEventKind.Disconnected && Interlocked.Exchange(ref _held, 1) == 0)
                {
                    _hold.Wait(Timeouts.Event);
                }
            };
        }

        public string Root { get; }

        public ZooKeeperClient Writer { get; }

        public FaultProxy Proxy { get; }

        public IHost Host { get; }

        public IZNodeFamily<Counter> Family { get; }

        public ZNodeRuntime Runtime { get; }

        public ZooKeeperSession Zk { get; }

        public SessionEvents Session { get; }

        /// <summary>The app's view, from <see cref="Cut"/> on: its session events (but Disconnected) and what the test adds.</summary>
        public ConcurrentQueue<string> Order { get; } = new();

        public static async Task<HeldReattach> StartAsync(RuntimeServerFixture fixture, string name)
        {
            string root = RuntimeServerFixture.UniquePath(name);
            ZooKeeperClient writer = await fixture.ConnectAsync();
            await writer.CreateAsync(root);
            await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
            FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
            IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
            var t = new HeldReattach(root, writer, proxy, host);
            await t.Runtime.WaitForAllLoadedAsync(Timeouts.Token());
            return t;
        }

        /// <summary>Cuts the proxy; the app's session events from here on (Disconnected aside) go into <see cref="Order"/>.</summary>
        public void Cut()
        {
            Runtime.SessionChanged += e =>
            {
                if (e.Kind != SessionEventKind.Disconnected)
                {
                    Order.Enqueue($"session {e.Kind}");
                }
            };
            Proxy.Cut();
        }

        public void Release() => _hold.Set();

        public async ValueTask DisposeAsync()
        {
            // Never leave the session owner's executor held, whatever the test did.
            _hold.Set();
            await Host.StopAsync();
            Host.Dispose();
            Session.Dispose();
            await Proxy.DisposeAsync();
            await Writer.DisposeAsync();
            _hold.Dispose();
        }
    }
}
