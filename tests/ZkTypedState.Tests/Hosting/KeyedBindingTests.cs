using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>Issue 12, Why 4: several nodes of one type either all work (keys) or fail loudly — never silently dropped.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class KeyedBindingTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Two_nodes_of_one_type_bound_with_keys_are_both_loaded_and_read_by_key()
    {
        string primary = RuntimeServerFixture.UniquePath("primary");
        string secondary = RuntimeServerFixture.UniquePath("secondary");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(primary, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await writer.CreateAsync(secondary, RuntimeServerFixture.Json("""{"Limit":2}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode("primary", Descriptors.Payments(primary)).AddZNode("secondary", Descriptors.Payments(secondary)),
            services: s => s.AddSingleton<PaymentsClient>());
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();

        // Both loaded by the initial sync, each under its key.
        Assert.Equal(1, host.Services.GetRequiredKeyedService<IZNode<PaymentsConfig>>("primary").Value.Limit);
        Assert.Equal(2, host.Services.GetRequiredKeyedService<IZNode<PaymentsConfig>>("secondary").Value.Limit);
        Assert.Equal(ZNodeStatus.Fresh, host.Services.GetRequiredService<PaymentsClient>().Node.Status);
        Assert.Equal(primary, host.Services.GetRequiredService<PaymentsClient>().Node.Path);
        Assert.Equal(1, monitor.Get("primary").Limit);
        Assert.Equal(2, monitor.Get("secondary").Limit);

        // No unkeyed node: the default name reads the type's defaults; an unknown name is an error naming the keys.
        Assert.Equal(new PaymentsConfig(), monitor.CurrentValue);
        var unknown = Assert.Throws<ArgumentException>(() => monitor.Get("primray"));
        Assert.Contains("'primary'", unknown.Message, StringComparison.Ordinal);

        var changed = new TaskCompletionSource<(string? Name, int Limit)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable? subscription = monitor.OnChange((value, name) => changed.TrySetResult((name, value.Limit)));
        await writer.SetDataAsync(secondary, RuntimeServerFixture.Json("""{"Limit":3}"""));
        Assert.Equal(("secondary", 3), await changed.Task.WaitAsync(Timeouts.Event));
        await host.StopAsync();
    }

    [Fact]
    public void A_second_unkeyed_binding_of_a_type_at_another_path_fails_with_a_clear_message()
    {
        var services = new ServiceCollection();
        ZkTypedStateBuilder builder = services.AddZkTypedState();
        builder.AddZNode(Descriptors.Payments("/config/a"));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddZNode(Descriptors.Payments("/config/b")));
        Assert.Contains("/config/a", error.Message, StringComparison.Ordinal);
        Assert.Contains("/config/b", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddZNode(\"primary\", descriptor)", error.Message, StringComparison.Ordinal);

        // The same binding again is no second binding; one node cannot be bound twice; templates take no key.
        builder.AddZNode(Descriptors.Payments("/config/a"));
        Assert.Single(services, s => s.ServiceType == typeof(IZNode<PaymentsConfig>));
        Assert.Throws<InvalidOperationException>(() => builder.AddZNode("again", Descriptors.Payments("/config/a")));
        Assert.Throws<NotSupportedException>(() => builder.AddZNode("t", Descriptors.Tenants("/config/tenants")));
        Assert.Throws<ArgumentException>(() => builder.AddZNode(string.Empty, Descriptors.Payments("/config/c")));
    }

    [Fact]
    public async Task An_unkeyed_node_and_keyed_nodes_of_one_type_live_side_by_side()
    {
        string main = RuntimeServerFixture.UniquePath("main");
        string backup = RuntimeServerFixture.UniquePath("backup");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(main, RuntimeServerFixture.Json("""{"Limit":10}"""));
        await writer.CreateAsync(backup, RuntimeServerFixture.Json("""{"Limit":20}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(main)).AddZNode("backup", Descriptors.Payments(backup)));
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();

        Assert.Equal(10, host.Services.GetRequiredService<IZNode<PaymentsConfig>>().Value.Limit);
        Assert.Equal(10, monitor.CurrentValue.Limit);
        Assert.Equal(20, monitor.Get("backup").Limit);
        Assert.Equal(2, host.Services.GetRequiredService<ZNodeRuntime>().BoundNodeCount);
        await host.StopAsync();
    }

    private sealed class PaymentsClient([FromKeyedServices("primary")] IZNode<PaymentsConfig> node)
    {
        public IZNode<PaymentsConfig> Node => node;
    }
}
