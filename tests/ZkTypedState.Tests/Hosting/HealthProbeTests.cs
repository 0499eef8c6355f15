using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>Readiness, liveness and the Degraded cap, through every transition an orchestrator acts on.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class HealthProbeTests(RuntimeServerFixture fixture)
{
    private const string Ready = "zktypedstate-ready";
    private const string Live = "zktypedstate-live";
    private const string Capped = "zktypedstate-capped";
    private const string General = "zktypedstate";

    private static void AddProbes(IServiceCollection services, TimeSpan? stallTimeout = null) =>
        services.AddHealthChecks()
            .AddZkTypedStateReadiness()
            .AddZkTypedStateLiveness(configure: o => o.StallTimeout = stallTimeout ?? o.StallTimeout)
            .AddZkTypedState(Capped, o => o.FailureStatus = HealthStatus.Degraded);

    private static async Task<Dictionary<string, HealthStatus>> CheckAsync(IHost host)
    {
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries.ToDictionary(e => e.Key, e => e.Value.Status);
    }

    /// <summary>What a probe endpoint mapped with a tag predicate answers (MapHealthChecks uses the same service).</summary>
    private static async Task<HealthStatus> ProbeAsync(IHost host, string tag) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(tag))).Status;

    [Fact]
    public async Task While_a_lost_session_is_rebuilt_readiness_is_unhealthy_liveness_healthy_and_the_capped_check_degraded()
    {
        string path = RuntimeServerFixture.UniquePath("health");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.SessionTimeout = TimeSpan.FromMilliseconds(1000), s => AddProbes(s));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);
        Assert.All((await CheckAsync(host)).Values, s => Assert.Equal(HealthStatus.Healthy, s));

        proxy.Blackhole();
        await events.NextSignalAsync(ZNodeSignalKind.SessionLost);
        Dictionary<string, HealthStatus> lost = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, lost[Ready]);
        Assert.Equal(HealthStatus.Healthy, lost[Live]);
        Assert.Equal(HealthStatus.Degraded, lost[Capped]);
        Assert.Equal(HealthStatus.Unhealthy, lost[General]);
        Assert.Equal(HealthStatus.Unhealthy, await ProbeAsync(host, "ready"));
        Assert.Equal(HealthStatus.Healthy, await ProbeAsync(host, "live")); // a ZooKeeper outage restarts no pod

        proxy.Restore();
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Fresh);
        Assert.All(await CheckAsync(host), kv => Assert.Equal(HealthStatus.Healthy, kv.Value));
        await host.StopAsync();
    }

    [Fact]
    public async Task Under_ServeStaleAndRebuild_a_lost_session_leaves_readiness_degraded_since_values_are_still_served()
    {
        string path = RuntimeServerFixture.UniquePath("health");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.SessionTimeout = TimeSpan.FromMilliseconds(1000);
                o.SessionLossPolicy = SessionLossPolicy.ServeStaleAndRebuild;
            },
            s => AddProbes(s));
        var events = new NodeEvents<PaymentsConfig>(host.Services.GetRequiredService<IZNode<PaymentsConfig>>());

        proxy.Blackhole();
        await events.NextSignalAsync(ZNodeSignalKind.SessionLost);
        Dictionary<string, HealthStatus> lost = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, lost[Ready]);
        Assert.Equal(HealthStatus.Healthy, lost[Live]);
        proxy.Restore();
        await events.NextSignalAsync(ZNodeSignalKind.Resynced);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_disconnection_keeps_readiness_degraded_and_liveness_healthy()
    {
        string path = RuntimeServerFixture.UniquePath("health");
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.SessionTimeout = TimeSpan.FromSeconds(10), s => AddProbes(s));
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        using var session = new SessionEvents(runtime);

        proxy.Cut();
        await session.FirstAsync(SessionEventKind.Disconnected);
        Dictionary<string, HealthStatus> during = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, during[Ready]);
        Assert.Equal(HealthStatus.Healthy, during[Live]);
        Assert.Equal(HealthStatus.Degraded, during[Capped]);

        proxy.Restore();
        await session.FirstAsync(SessionEventKind.Reconnected);
        await host.StopAsync();
    }

    [Fact]
    public async Task Readiness_is_unhealthy_until_the_initial_sync_is_done_and_liveness_healthy_meanwhile()
    {
        string path = RuntimeServerFixture.UniquePath("health");
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.InitialSyncTimeout = TimeSpan.FromMilliseconds(300);
                o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
            },
            s => AddProbes(s));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        Dictionary<string, HealthStatus> starting = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, starting[Ready]);
        Assert.Equal(HealthStatus.Healthy, starting[Live]);

        proxy.Restore();
        await node.WaitForLoadedAsync(Timeouts.Token());
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host))[Ready]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Liveness_fails_when_a_handler_blocks_the_notification_stream_past_the_stall_timeout_and_recovers_after()
    {
        TimeSpan stall = TimeSpan.FromMilliseconds(300);
        string path = RuntimeServerFixture.UniquePath("health");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), services: s => AddProbes(s, stall));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        using var gate = new ManualResetEventSlim();
        var blocking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = new NodeEvents<PaymentsConfig>(node);
        node.Changed += c =>
        {
            if (c.Current.Value.Limit == 2)
            {
                blocking.TrySetResult();
                gate.Wait(TimeSpan.FromSeconds(30)); // a handler that blocks the stream (bounded, so a failing test ends)
            }
        };

        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":2}"""));
        await blocking.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host))[Live]); // posts the probe; it has not waited yet
        await AtLeastAsync(stall); // the stall timeout itself is what is tested: the probe must have waited this long
        HealthReport stalled = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == Live);
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("notification stream", stalled.Entries[Live].Description);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host))[Ready]); // serving values is not what is wrong

        gate.Set();
        await writer.SetDataAsync(path, RuntimeServerFixture.Json("""{"Limit":3}"""));
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Value.Limit == 3);
        Assert.Equal(2, (await changes.NextChangeAsync()).Current.Value.Limit);
        Assert.Equal(3, (await changes.NextChangeAsync()).Current.Value.Limit); // delivered behind the probe: the stream ran it
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host))[Live]);
        await host.StopAsync();
    }

    /// <summary>
    /// Waits until at least <paramref name="duration"/> has passed on the Stopwatch clock the probe measures with:
    /// Task.Delay runs on a coarser clock and may end a few milliseconds early by that one.
    /// </summary>
    private static async Task AtLeastAsync(TimeSpan duration)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(duration);
        while (clock.Elapsed < duration)
        {
            await Task.Delay(duration - clock.Elapsed + TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task Once_the_runtime_stopped_liveness_and_readiness_are_unhealthy()
    {
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(RuntimeServerFixture.UniquePath("health"))), services: s => AddProbes(s));
        await host.StopAsync();

        Dictionary<string, HealthStatus> stopped = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, stopped[Live]);
        Assert.Equal(HealthStatus.Unhealthy, stopped[Ready]);
        Assert.Equal(HealthStatus.Degraded, stopped[Capped]);
    }

    [Fact]
    public void Registrations_carry_their_tags_failure_status_and_timeout_and_bad_options_fail_with_the_setting_named()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks()
            .AddZkTypedStateReadiness(configure: o => o.Tags.Add("zookeeper"))
            .AddZkTypedStateLiveness(configure: o => o.Timeout = TimeSpan.FromSeconds(2))
            .AddZkTypedState("capped", o => o.FailureStatus = HealthStatus.Degraded);
        using ServiceProvider provider = services.BuildServiceProvider();
        Dictionary<string, HealthCheckRegistration> registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToDictionary(r => r.Name);

        Assert.Equal(["ready", "zookeeper"], registrations[Ready].Tags.Order());
        Assert.Equal(HealthStatus.Unhealthy, registrations[Ready].FailureStatus);
        Assert.Equal(["live"], registrations[Live].Tags);
        Assert.Equal(TimeSpan.FromSeconds(2), registrations[Live].Timeout);
        Assert.Empty(registrations["capped"].Tags);
        Assert.Equal(HealthStatus.Degraded, registrations["capped"].FailureStatus);

        var badStall = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHealthChecks().AddZkTypedStateLiveness(configure: o => o.StallTimeout = TimeSpan.Zero));
        Assert.Contains("StallTimeout must be positive", badStall.Message);
        var badStatus = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHealthChecks().AddZkTypedState("x", o => o.FailureStatus = (HealthStatus)7));
        Assert.Contains("FailureStatus", badStatus.Message);
        var badTimeout = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHealthChecks().AddZkTypedStateReadiness(configure: o => o.Timeout = TimeSpan.FromSeconds(-1)));
        Assert.Contains("Timeout must be positive", badTimeout.Message);
    }
}
