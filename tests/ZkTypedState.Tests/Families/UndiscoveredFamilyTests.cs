using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Families;

/// <summary>Templates whose members cannot be discovered, GetAsync/TryGet, and the bound's validation.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class UndiscoveredFamilyTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task A_template_with_a_parameter_inside_a_segment_is_not_discovered_and_every_name_is_a_bounded_non_member()
    {
        string root = RuntimeServerFixture.UniquePath("inline");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/cfg-a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await writer.CreateAsync(root + "/cfg-b", RuntimeServerFixture.Json("""{"Count":2}"""));
        var descriptor = new ZNodeDescriptor<Counter>(root + "/cfg-{id}", TestJsonContext.Default.Counter, static () => new Counter());
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor), o => o.MaxFamilyNonMembers = 1);
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();

        Assert.False(family.IsDiscovered);
        Assert.Empty(family.Members);
        Assert.False(family.TryGet(["a"], out _));

        IZNode<Counter> a = await family.GetAsync(["a"], Timeouts.Token());
        Assert.Equal(1, a.Value.Count);
        Assert.True(family.TryGet(["a"], out IZNode<Counter>? again));
        Assert.Same(a, again);

        // The bound is 1: asking for b unbinds a, which keeps its last snapshot but no longer follows the node.
        Assert.Equal(2, (await family.GetAsync(["b"], Timeouts.Token())).Value.Count);
        Assert.False(family.TryGet(["a"], out _));
        Assert.Equal(1, family.BoundCount);
        Assert.Equal(1, host.Services.GetRequiredService<ZNodeRuntime>().BoundNodeCount);
        Assert.Equal(1, a.Value.Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task GetAsync_of_a_name_that_does_not_exist_completes_once_it_is_known_to_be_missing()
    {
        string root = RuntimeServerFixture.UniquePath("absent");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();

        IZNode<Counter> node = await family.GetAsync(["ghost"], Timeouts.Token());
        Assert.Equal(ZNodeStatus.Missing, node.Status);
        Assert.DoesNotContain("ghost", family.Members);
        Assert.Throws<ArgumentException>(() => family.Get("a/b"));
        Assert.Throws<ArgumentException>(() => family.Get("a", "b"));
        Assert.Throws<ArgumentException>(() => family.TryGet([string.Empty], out _));
        await host.StopAsync();
    }

    [Fact]
    public async Task MaxFamilyNonMembers_below_one_is_rejected_with_a_clear_message()
    {
        var services = new ServiceCollection();
        services.AddZkTypedState(o => o.MaxFamilyNonMembers = 0);
        await using ServiceProvider provider = services.BuildServiceProvider();
        // Resolved through Options validation (ZkTypedStateOptions.Validate), so the message names the option.
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<ZNodeRuntime>());
        Assert.Contains("MaxFamilyNonMembers must be at least 1", error.Message, StringComparison.Ordinal);
    }
}
