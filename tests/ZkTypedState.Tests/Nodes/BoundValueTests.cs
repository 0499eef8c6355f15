using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

[Collection(RuntimeCollection.Name)]
public sealed class BoundValueTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task A_change_by_another_client_reaches_Value_and_OnChange_exactly_once()
    {
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1,"Currency":"USD"}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);
        var onChange = new List<PaymentsConfig>();
        using IDisposable? subscription = monitor.OnChange((value, _) => { lock (onChange) { onChange.Add(value); } });

        Assert.Equal(new PaymentsConfig { Limit = 1, Currency = "USD" }, monitor.CurrentValue);
        Assert.Equal(ZNodeStatus.Fresh, node.Status);
        Assert.Equal(0, events.ChangeCount);

        Stat written = await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2,"Currency":"USD"}"""));
        ZNodeChange<PaymentsConfig> change = await events.NextChangeAsync();
        Assert.Equal(2, change.Current.Value.Limit);
        Assert.Equal(1, change.Previous.Value.Limit);
        Assert.Equal(written.Mzxid, change.Current.Mzxid);
        Assert.Equal(2, monitor.CurrentValue.Limit);

        // Rewriting the same bytes is no change; the next real change is the second one reported.
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2,"Currency":"USD"}"""));
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":3,"Currency":"USD"}"""));
        ZNodeChange<PaymentsConfig> next = await events.NextChangeAsync();

        Assert.Equal(2, next.Previous.Value.Limit);
        Assert.Equal(3, next.Current.Value.Limit);
        Assert.Equal(3, next.Current.Stat!.Value.Version);
        Assert.Equal(2, events.ChangeCount);
        lock (onChange)
        {
            Assert.Equal([new PaymentsConfig { Limit = 2, Currency = "USD" }, new PaymentsConfig { Limit = 3, Currency = "USD" }], onChange);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_missing_at_start_serves_the_default_then_follows_creation_deletion_and_re_creation()
    {
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);

        Assert.Equal(ZNodeStatus.Missing, node.Status);
        Assert.Equal(new PaymentsConfig(), node.Value);

        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":5}"""));
        Assert.Equal(5, (await events.NextChangeAsync()).Current.Value.Limit);

        await writer.DeleteAsync(path);
        ZNodeChange<PaymentsConfig> deleted = await events.NextChangeAsync();
        Assert.Equal(ZNodeStatus.Missing, deleted.Current.Status);
        Assert.Equal(new PaymentsConfig(), deleted.Current.Value);

        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":6}"""));
        ZNodeChange<PaymentsConfig> recreated = await events.NextChangeAsync();
        Assert.Equal(6, recreated.Current.Value.Limit);
        Assert.Equal(0, recreated.Current.Stat!.Value.Version);
        Assert.True(recreated.Current.Mzxid > deleted.Previous.Mzxid);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("""{"Limit":""", ZNodePayloadError.Malformed)]
    [InlineData("""{"Limit":"not a number"}""", ZNodePayloadError.Malformed)]
    [InlineData("", ZNodePayloadError.Empty)]
    [InlineData("null", ZNodePayloadError.Malformed)]
    [InlineData("""{"Limit":-5}""", ZNodePayloadError.ValidationFailed)]
    [InlineData("huge", ZNodePayloadError.TooLarge)]
    [InlineData("invalid-utf8", ZNodePayloadError.Malformed)]
    public async Task A_bad_payload_keeps_the_last_good_value_and_reports_a_clear_error(string payload, ZNodePayloadError expected)
    {
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":7,"Currency":"CHF"}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.MaxPayloadBytes = 64 * 1024);
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);

        byte[] bytes = payload switch
        {
            "huge" => RuntimeServerFixture.Json("{\"Currency\":\"" + new string('x', 100_000) + "\"}"),
            "invalid-utf8" => [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
            _ => RuntimeServerFixture.Json(payload),
        };
        await writer.SetDataAsync(path, bytes);
        ZNodeSnapshot<PaymentsConfig> faulted = await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Faulted);

        var error = Assert.IsType<ZNodePayloadException>(faulted.Error);
        Assert.Equal(expected, error.Error);
        Assert.Equal(path, error.Path);
        Assert.Equal(new PaymentsConfig { Limit = 7, Currency = "CHF" }, faulted.Value);
        Assert.Equal(new PaymentsConfig { Limit = 7, Currency = "CHF" }, monitor.CurrentValue);
        Assert.Equal(0, events.ChangeCount);
        HealthReportAssert.Degraded(await HealthReportAssert.CheckAsync(host));

        // The next good payload heals it.
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":8,"Currency":"CHF"}"""));
        ZNodeChange<PaymentsConfig> healed = await events.NextChangeAsync();
        Assert.Equal(ZNodeStatus.Fresh, healed.Current.Status);
        Assert.Equal(8, monitor.CurrentValue.Limit);
        await host.StopAsync();
    }

    [Fact]
    public async Task SetAsync_creates_parents_and_UpdateAsync_from_two_sessions_loses_no_increment()
    {
        string path = RuntimeServerFixture.UniquePath() + "/deep/counter";
        using IHost first = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counter(path)));
        using IHost second = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counter(path)));
        var a = first.Services.GetRequiredService<IZNode<Counter>>();
        var b = second.Services.GetRequiredService<IZNode<Counter>>();

        await a.SetAsync(new Counter { Count = 0 });
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).UpdateAsync(c => c with { Count = c.Count + 1 })));

        await NodeEvents<Counter>.WaitUntilAsync(a, s => s.Value.Count == 10);
        await NodeEvents<Counter>.WaitUntilAsync(b, s => s.Value.Count == 10);
        await Assert.ThrowsAsync<BadVersionException>(() => a.SetAsync(new Counter { Count = 99 }, expectedVersion: 3));
        await a.DeleteAsync();
        await NodeEvents<Counter>.WaitUntilAsync(b, s => s.Status == ZNodeStatus.Missing);
        await a.DeleteAsync();
        await first.StopAsync();
        await second.StopAsync();
    }

    [Fact]
    public async Task An_invalid_value_is_refused_before_it_is_written()
    {
        string path = RuntimeServerFixture.UniquePath();
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();

        var refused = await Assert.ThrowsAsync<ZNodeValidationException>(() => node.SetAsync(new PaymentsConfig { Limit = -1 }));

        Assert.Contains("Limit", Assert.Single(refused.Errors));
        await using var reader = await fixture.ConnectAsync();
        Assert.Null(await reader.ExistsAsync(path));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_path_template_binds_named_options_per_parameter_value()
    {
        string root = RuntimeServerFixture.UniquePath("tenants");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/acme");
        await writer.CreateAsync(root + "/acme/limits", RuntimeServerFixture.Json("""{"MaxUsers":50}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Tenants(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<TenantLimits>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<TenantLimits>>();
        var changes = new List<(int, string?)>();
        using IDisposable? subscription = monitor.OnChange((v, name) => { lock (changes) { changes.Add((v.MaxUsers, name)); } });

        IZNode<TenantLimits> acme = family.Get("acme");
        await acme.WaitForLoadedAsync(Timeouts.Token());
        Assert.Equal(50, monitor.Get("acme").MaxUsers);
        Assert.Equal(root + "/acme/limits", acme.Path);
        Assert.Same(acme, family.Get("acme"));

        await writer.SetDataAsync(root + "/acme/limits", RuntimeServerFixture.Json("""{"MaxUsers":60}"""));
        await NodeEvents<TenantLimits>.WaitUntilAsync(acme, s => s.Value.MaxUsers == 60);
        Assert.Equal(60, monitor.Get("acme").MaxUsers);
        Assert.Equal(new TenantLimits(), monitor.CurrentValue); // a family has no node with the default name: the defaults (issue 12)
        Assert.Throws<ArgumentException>(() => family.Get("a/b"));
        lock (changes)
        {
            // acme is a discovered member, loaded by the initial sync (before the subscription): only the change notifies.
            Assert.Equal([(60, "acme")], changes);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task Reading_Value_and_CurrentValue_allocates_nothing()
    {
        string path = RuntimeServerFixture.UniquePath();
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        _ = node.Value;
        _ = monitor.CurrentValue;

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += node.Value.Limit + monitor.CurrentValue.Limit;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(200 * 100_000, sum);
        await host.StopAsync();
    }
}
