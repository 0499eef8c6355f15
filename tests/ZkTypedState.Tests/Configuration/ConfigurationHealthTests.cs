using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;
using static ZkTypedState.Tests.Configuration.ConfigTestSupport;

namespace ZkTypedState.Tests.Configuration;

/// <summary><c>AddHealthChecks().AddZooKeeperConfiguration()</c>: what the app's configuration providers report, in every state.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class ConfigurationHealthTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Healthy_when_current_Degraded_with_a_malformed_node_or_while_disconnected_and_Healthy_again_when_mended()
    {
        string root = RuntimeServerFixture.UniquePath("cfghealth");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Payments", """{"Limit":5}"""));
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = proxy.ConnectionString;
            o.AddSubtree(root);
            o.FlattenJson = true;
            o.SessionTimeout = TimeSpan.FromSeconds(10);
        }).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        await using ServiceProvider services = Services(config);

        HealthReportEntry healthy = await CheckAsync(services);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal("Current", healthy.Data["state"]);
        Assert.Equal(1, healthy.Data["keys"]);
        Assert.Equal(root, healthy.Data["roots"]);

        await writer.SetDataAsync(root + "/Payments", Utf8("""{"Limit":"""));
        await StatusUntilAsync(provider, s => s.PayloadErrors.Count == 1, "the malformed payload is reported");
        HealthReportEntry malformed = await CheckAsync(services);
        Assert.Equal(HealthStatus.Degraded, malformed.Status);
        Assert.Contains($"malformed payloads (last good keys kept): {root}/Payments", malformed.Description, StringComparison.Ordinal);

        proxy.Cut();
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Disconnected, "the provider reports the disconnection");
        HealthReportEntry cut = await CheckAsync(services);
        Assert.Equal(HealthStatus.Degraded, cut.Status);
        Assert.Contains("disconnected; the last keys are served stale", cut.Description, StringComparison.Ordinal);

        proxy.Restore();
        await writer.SetDataAsync(root + "/Payments", Utf8("""{"Limit":7}"""));
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Current && s.PayloadErrors.Count == 0, "the provider is current and the payload mended");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(services)).Status);
        Assert.Equal("7", config["Payments:Limit"]);
    }

    [Fact]
    public async Task Unhealthy_while_an_optional_provider_serves_nothing_yet_capped_by_the_failure_status()
    {
        string root = RuntimeServerFixture.UniquePath("cfghealthopt");
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = proxy.ConnectionString;
            o.AddSubtree(root);
            o.Optional = true;
            o.StartupTimeout = TimeSpan.FromMilliseconds(300);
        }).Build();
        await using ServiceProvider services = Services(config);
        await using ServiceProvider capped = Services(config, HealthStatus.Degraded);

        HealthReportEntry loading = await CheckAsync(services);
        Assert.Equal(HealthStatus.Unhealthy, loading.Status);
        Assert.Contains("not loaded yet (no keys served)", loading.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(capped)).Status);
    }

    [Fact]
    public async Task A_configuration_without_a_ZooKeeper_provider_is_Unhealthy_not_a_false_Healthy()
    {
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["A"] = "1" }).Build();
        await using ServiceProvider services = Services(config);

        HealthReportEntry none = await CheckAsync(services);
        Assert.Equal(HealthStatus.Unhealthy, none.Status);
        Assert.Contains("no ZooKeeper provider (AddZooKeeper)", none.Description, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(IConfigurationRoot config, HealthStatus? failureStatus = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddHealthChecks().AddZooKeeperConfiguration(failureStatus: failureStatus);
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services)
    {
        HealthReport report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Timeouts.Token());
        return report.Entries["zookeeper-configuration"];
    }
}
