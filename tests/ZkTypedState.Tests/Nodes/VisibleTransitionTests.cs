using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>OnChange/Changed fire on every transition of the value the app sees, and on nothing else; Faulted snapshots are consistent.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class VisibleTransitionTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task OnChange_fires_for_the_first_load_under_Continue_the_invalidation_and_the_rebuild_but_not_for_an_equal_value()
    {
        string path = RuntimeServerFixture.UniquePath("visible");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":5,"Currency":"USD"}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.InitialSyncTimeout = TimeSpan.FromMilliseconds(300);
                o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
                o.SessionTimeout = TimeSpan.FromSeconds(1);
            });
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var seen = System.Threading.Channels.Channel.CreateUnbounded<PaymentsConfig>();
        var all = new List<string>();
        using IDisposable? subscription = monitor.OnChange((value, _) =>
        {
            all.Add($"change {value.Limit}");
            seen.Writer.TryWrite(value);
        });
        node.Signaled += s => all.Add($"signal {s.Kind} {s.Current.Status}");
        runtime.SessionChanged += e => all.Add($"session {e.Kind}");
        Assert.Equal(ZNodeStatus.Loading, node.Status);
        Assert.Equal(100, monitor.CurrentValue.Limit);

        async Task<PaymentsConfig> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Timeouts.Event);
            return await seen.Reader.ReadAsync(timeout.Token);
        }

        // 1. The first real load, after starting without ZooKeeper: default 100 -> 5.
        proxy.Restore();
        Assert.Equal(5, (await NextAsync()).Limit);
        Assert.Equal(5, monitor.CurrentValue.Limit);

        // 2. The session is lost: the app now reads the default, and is told so.
        proxy.Blackhole();
        PaymentsConfig invalidated = await NextAsync();
        Assert.Equal(100, invalidated.Limit);
        Assert.Equal(ZNodeStatus.Invalidated, node.Status);

        // 3. The rebuild in the new session: 100 -> 5 again.
        proxy.Restore();
        Assert.Equal(5, (await NextAsync()).Limit);

        // 4. Equal values never notify: identical bytes, then equal JSON in other bytes; the next real change is next.
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":5,"Currency":"USD"}"""));
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{ "Currency" : "USD", "Limit" : 5 }"""));
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":6,"Currency":"USD"}"""));
        Assert.Equal(6, (await NextAsync()).Limit);

        // Everything was delivered on one ordered stream, so the log is the exact sequence the app observed.
        Assert.Equal(4, all.Count(e => e.StartsWith("change", StringComparison.Ordinal)));
        Assert.DoesNotContain(all, e => e == "signal StatusChanged Fresh");
        int lost = all.IndexOf("session Lost");
        Assert.True(all.IndexOf("change 100") < lost, string.Join(", ", all));
        Assert.True(all.IndexOf("signal SessionLost Invalidated") < lost, string.Join(", ", all));
        Assert.True(all.IndexOf("signal StatusChanged Stale") < all.IndexOf("session Disconnected"), string.Join(", ", all));
        Assert.True(all.LastIndexOf("session Established") < all.LastIndexOf("change 5"), string.Join(", ", all));
        await host.StopAsync();
    }

    [Fact]
    public async Task After_a_normal_startup_an_idle_node_raises_nothing_until_its_first_change()
    {
        string path = RuntimeServerFixture.UniquePath("idle");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var log = new List<string>();
        node.Signaled += s => log.Add($"signal {s.Kind} {s.Current.Status}");
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Changed += c =>
        {
            log.Add($"change {c.Current.Value.Limit}");
            changed.TrySetResult();
        };

        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        await changed.Task.WaitAsync(Timeouts.Event);

        // The change is delivered on the same stream as any signal would have been, so nothing came before it.
        Assert.Equal(["change 2"], log);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_faulted_snapshot_pairs_the_last_good_value_with_its_own_stat_and_reports_the_rejected_version_apart()
    {
        string path = RuntimeServerFixture.UniquePath("faulted");
        await using var writer = await fixture.ConnectAsync();
        Stat good = (await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":3}"""))).Stat;
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();

        Stat rejected = await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":-1}"""));
        ZNodeSnapshot<PaymentsConfig> faulted = await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Faulted);

        Assert.Equal(3, faulted.Value.Limit);
        Assert.Equal(good.Mzxid, faulted.Mzxid);
        Assert.Equal(good.Version, faulted.Stat!.Value.Version);
        Assert.Equal(rejected.Mzxid, faulted.RejectedStat!.Value.Mzxid);
        var error = Assert.IsType<ZNodePayloadException>(faulted.Error);
        Assert.Equal(rejected.Mzxid, error.Mzxid);
        Assert.Equal(ZNodePayloadError.ValidationFailed, error.Error);

        Stat healed = await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":4}"""));
        ZNodeSnapshot<PaymentsConfig> fresh = await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Fresh);
        Assert.Equal(healed.Mzxid, fresh.Mzxid);
        Assert.Null(fresh.RejectedStat);
        await host.StopAsync();
    }
}
