using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>A generated binding marked required (its node is never created by any test).</summary>
[ZNode("/startup-tests/never-created", Required = true)]
public sealed partial record RequiredStartupConfig
{
    /// <summary>A setting.</summary>
    public int Level { get; set; } = 1;
}

/// <summary>JSON for <see cref="RequiredStartupConfig"/>.</summary>
[JsonSerializable(typeof(RequiredStartupConfig))]
internal sealed partial class StartupJson : JsonSerializerContext;

/// <summary>Issue 12, Why 7: FailStartup fails for faulted nodes and missing required ones; the log breaks the load down.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class StartupTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task FailStartup_fails_for_a_node_with_a_rejected_payload()
    {
        string good = RuntimeServerFixture.UniquePath("good");
        string bad = RuntimeServerFixture.UniquePath("bad");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(good, RuntimeServerFixture.Json("""{"Count":1}"""));
        await writer.CreateAsync(bad, RuntimeServerFixture.Json("""{"Limit":"#not a number"}"""));

        var error = await StartFailingAsync(b => b.AddZNode(Descriptors.Counter(good)).AddZNode(Descriptors.Payments(bad)));
        Assert.Equal([bad], error.Faulted);
        Assert.Empty(error.MissingRequired);
        Assert.Contains($"faulted: {bad} (rejected payload: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<ZNodePayloadException>(Assert.Single(error.FaultErrors).Value);
        Assert.Contains("InitialSyncFailure = Continue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailStartup_fails_for_missing_required_nodes_from_the_attribute_or_the_descriptor_and_for_a_required_familys_member_without_its_node()
    {
        string required = RuntimeServerFixture.UniquePath("required");
        string optional = RuntimeServerFixture.UniquePath("optional");
        string root = RuntimeServerFixture.UniquePath("reqfamily");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/acme");
        await writer.CreateAsync(root + "/acme/limits", RuntimeServerFixture.Json("""{"MaxUsers":5}"""));
        await writer.CreateAsync(root + "/globex");
        var tenants = new ZNodeDescriptor<TenantLimits>(root + "/{tenant}/limits", TestJsonContext.Default.TenantLimits, static () => new TenantLimits()) { Required = true };

        var error = await StartFailingAsync(b => b
            .AddZNode(RequiredStartupConfig.ZNode)
            .AddZNode(new ZNodeDescriptor<Counter>(required, TestJsonContext.Default.Counter, static () => new Counter()) { Required = true })
            .AddZNode(Descriptors.Payments(optional))
            .AddZNode(tenants));
        Assert.Equal(new[] { "/startup-tests/never-created", required, root + "/globex/limits" }.Order(StringComparer.Ordinal), error.MissingRequired);
        Assert.Empty(error.Faulted);
        Assert.DoesNotContain(optional, error.Message, StringComparison.Ordinal);
        Assert.True(RequiredStartupConfig.ZNode.Required);
    }

    [Fact]
    public async Task Continue_starts_with_faulted_and_missing_required_nodes_and_the_log_breaks_the_load_down()
    {
        string fresh = RuntimeServerFixture.UniquePath("fresh");
        string missing = RuntimeServerFixture.UniquePath("missing");
        string faulted = RuntimeServerFixture.UniquePath("faulted");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(fresh, RuntimeServerFixture.Json("""{"Count":1}"""));
        await writer.CreateAsync(faulted, RuntimeServerFixture.Json("{not json"));
        var logs = new CapturingLoggerProvider();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode(Descriptors.Counter(fresh))
                  .AddZNode(new ZNodeDescriptor<PaymentsConfig>(missing, TestJsonContext.Default.PaymentsConfig, static () => new PaymentsConfig()) { Required = true })
                  .AddZNode(new ZNodeDescriptor<TenantLimits>(faulted, TestJsonContext.Default.TenantLimits, static () => new TenantLimits())),
            o => o.InitialSyncFailure = InitialSyncFailureBehavior.Continue,
            s => s.AddLogging(l => l.AddProvider(logs)));

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message == "ZkTypedState: 3 node(s) loaded: 1 fresh, 1 missing, 1 faulted.");
        (LogLevel _, string _, string warning) = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("ZkTypedState: starting anyway", StringComparison.Ordinal));
        Assert.Contains("faulted: " + faulted + " (rejected payload: ", warning, StringComparison.Ordinal);
        Assert.Contains("required but missing: " + missing, warning, StringComparison.Ordinal);
        await host.StopAsync();
    }

    /// <summary>Builds a FailStartup host, expects its start to fail, and disposes it (sessions included).</summary>
    private Task<ZkTypedStateStartupException> StartFailingAsync(Action<ZkTypedStateBuilder> bind) =>
        FailingHost.StartAsync<ZkTypedStateStartupException>(s => bind(s.AddZkTypedState(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.InitialSyncTimeout = TimeSpan.FromSeconds(20);
        })));
}
