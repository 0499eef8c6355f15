using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Options;

/// <summary>
/// Issue 12, Why 6: the Options interfaces behave as Microsoft.Extensions.Options documents them — IOptionsMonitor live,
/// IOptionsSnapshot computed once per scope, IOptions a singleton computed once — and a family type's default name
/// does not throw.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class OptionsContractTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task IOptionsSnapshot_is_computed_once_per_scope_while_IOptionsMonitor_is_live()
    {
        string path = RuntimeServerFixture.UniquePath("snapshot");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();

        using IServiceScope request = host.Services.CreateScope();
        var snapshot = request.ServiceProvider.GetRequiredService<IOptionsSnapshot<PaymentsConfig>>();
        PaymentsConfig first = snapshot.Value;
        Assert.Equal(1, first.Limit);

        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Value.Limit == 2);
        Assert.Equal(2, monitor.CurrentValue.Limit);

        // Same scope: the value it first read, the same instance, however often it is read (also by name).
        Assert.Same(first, snapshot.Value);
        Assert.Same(first, snapshot.Get(Microsoft.Extensions.Options.Options.DefaultName));
        Assert.Same(snapshot, request.ServiceProvider.GetRequiredService<IOptionsSnapshot<PaymentsConfig>>());

        // A new scope computes it again.
        using IServiceScope next = host.Services.CreateScope();
        Assert.Equal(2, next.ServiceProvider.GetRequiredService<IOptionsSnapshot<PaymentsConfig>>().Value.Limit);
        await host.StopAsync();
    }

    [Fact]
    public async Task IOptions_is_a_singleton_computed_once_from_the_loaded_value_never_from_the_defaults_before_the_load()
    {
        string path = RuntimeServerFixture.UniquePath("ioptions");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o => o.ConnectionString = fixture.Server.ConnectionString).AddZNode(Descriptors.Payments(path));
        using IHost host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<PaymentsConfig>>();

        // Read before the host started (e.g. by a service built early): the defaults, but not fixed.
        Assert.Equal(new PaymentsConfig(), options.Value);
        await host.StartAsync(Timeouts.Token());
        PaymentsConfig loaded = options.Value;
        Assert.Equal(1, loaded.Limit);

        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Value.Limit == 2);
        Assert.Same(loaded, options.Value);
        Assert.Same(options, host.Services.GetRequiredService<IOptions<PaymentsConfig>>());
        await host.StopAsync();
    }

    [Fact]
    public async Task A_family_types_default_name_reads_the_defaults_through_every_Options_interface_without_throwing()
    {
        string root = RuntimeServerFixture.UniquePath("familyopts");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/acme");
        await writer.CreateAsync(root + "/acme/limits", RuntimeServerFixture.Json("""{"MaxUsers":50}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Tenants(root)));
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<TenantLimits>>();
        using IServiceScope scope = host.Services.CreateScope();

        Assert.Equal(new TenantLimits(), monitor.CurrentValue);
        Assert.Equal(new TenantLimits(), monitor.Get(null));
        Assert.Equal(new TenantLimits(), host.Services.GetRequiredService<IOptions<TenantLimits>>().Value);
        Assert.Equal(new TenantLimits(), scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<TenantLimits>>().Value);

        // Named: the member's value at once (loaded by the initial sync), in the snapshot too.
        Assert.Equal(50, monitor.Get("acme").MaxUsers);
        Assert.Equal(50, scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<TenantLimits>>().Get("acme").MaxUsers);
        await host.StopAsync();
    }

    [Fact]
    public async Task OnChange_reports_the_name_and_a_disposed_subscription_is_not_called_again()
    {
        string path = RuntimeServerFixture.UniquePath("onchange");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentsConfig>>();
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var first = new List<(int, string?)>();
        var second = new List<(int, string?)>();
        IDisposable? once = monitor.OnChange((v, name) => { lock (first) { first.Add((v.Limit, name)); } });
        using IDisposable? always = monitor.OnChange((v, name) => { lock (second) { second.Add((v.Limit, name)); } });

        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        await Harness.UntilAsync(() => { lock (second) { return second.Count == 1; } }, "the first change was reported");
        once!.Dispose();
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":3}"""));
        await Harness.UntilAsync(() => { lock (second) { return second.Count == 2; } }, "the second change was reported");

        // Both listeners are called in one delivery, so the disposed one had its chance at the second change.
        lock (first)
        {
            Assert.Equal([(2, string.Empty)], first);
        }

        lock (second)
        {
            Assert.Equal([(2, string.Empty), (3, string.Empty)], second);
        }

        Assert.Equal(3, node.Value.Limit);
        await host.StopAsync();
    }
}
