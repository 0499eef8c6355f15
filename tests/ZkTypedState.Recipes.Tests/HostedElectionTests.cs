using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests;

/// <summary>Named elections registered with <c>AddLeaderElection</c>, run by the host, reported by health checks.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class HostedElectionTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Two_apps_with_two_named_elections_each_one_leads_both_and_at_stop_the_other_leads_well_before_the_session_could_expire()
    {
        string billingPath = ZooKeeperFixture.UniquePath("billing");
        string reportsPath = ZooKeeperFixture.UniquePath("reports");
        using IHost app1 = BuildApp("app-1", billingPath, reportsPath);
        using IHost app2 = BuildApp("app-2", billingPath, reportsPath);

        await app1.StartAsync(Timeouts.Token());
        ILeaderElection billing1 = app1.Services.GetRequiredKeyedService<ILeaderElection>("billing");
        ILeaderElection reports1 = app1.Services.GetRequiredKeyedService<ILeaderElection>("reports");
        Assert.Same(app1.Services.GetRequiredKeyedService<LeaderElection>("billing"), billing1);
        ILeadershipTerm billingTerm = await billing1.WaitForLeadershipAsync(Timeouts.Token());
        await reports1.WaitForLeadershipAsync(Timeouts.Token());
        Assert.Equal(("billing", billingPath, "app-1"), (billing1.Name, billing1.ElectionPath, billing1.ParticipantId));
        Assert.Equal(reportsPath, reports1.ElectionPath);

        await app2.StartAsync(Timeouts.Token());
        var billing2 = app2.Services.GetRequiredKeyedService<LeaderElection>("billing");
        var recorder = new LeadershipRecorder(billing2);
        await ElectionTests.WaitUntilJoinedAsync(billing2);
        await ElectionTests.WaitUntilJoinedAsync(app2.Services.GetRequiredKeyedService<LeaderElection>("reports"));
        Assert.Equal(LeadershipRole.Following, billing2.Role);

        HealthReport health1 = await app1.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        HealthReport health2 = await app2.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal("leading", health1.Entries["leader-election:billing"].Data["role"]);
        Assert.Equal(billingTerm.FencingToken, health1.Entries["leader-election:billing"].Data["fencingToken"]);
        Assert.Equal("following", health2.Entries["leader-election:billing"].Data["role"]);
        Assert.Equal(HealthStatus.Healthy, health2.Entries["leader-election:reports"].Status);

        // Host stop leaves both elections (deleting the nodes): app 2 leads without waiting for app 1's session to expire.
        var clock = Stopwatch.StartNew();
        await app1.StopAsync(Timeouts.Token());
        (LeadershipAcquired acquired, TimeSpan _) = await recorder.NextAcquiredAsync();
        TimeSpan handOver = clock.Elapsed;
        output.WriteLine($"host stop -> next leader: {handOver.TotalMilliseconds:0} ms");

        // Had app 1 only dropped its session, app 2 would lead after the server expired it: no sooner than a session
        // timeout after app 1's last ping, which (every 2/9 of the timeout) was at most 0.9 s before the stop, so
        // at least 3.1 s after it. Half the session timeout is clearly below that and leaves seconds for a loaded stop.
        TimeSpan beforeAnyExpiry = SessionTimeout / 2;
        Assert.True(handOver < beforeAnyExpiry, $"the next leader took {handOver.TotalMilliseconds:0} ms (half the {SessionTimeout.TotalSeconds:0} s session timeout: {beforeAnyExpiry.TotalMilliseconds:0} ms): by expiry, not by the stop deleting the node");
        Assert.True(acquired.Term.FencingToken > billingTerm.FencingToken);
        Assert.True(billingTerm.Token.IsCancellationRequested);
        await app2.Services.GetRequiredKeyedService<ILeaderElection>("reports").WaitForLeadershipAsync(Timeouts.Token());

        HealthReport stopped = await app1.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, stopped.Entries["leader-election:billing"].Status);
        Assert.Equal("notparticipating", stopped.Entries["leader-election:billing"].Data["role"]);
        await app2.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task Registration_errors_are_clear()
    {
        var services = new ServiceCollection();
        services.AddLeaderElection("billing", o => o.ParticipantId = "x");
        ArgumentException duplicate = Assert.Throws<ArgumentException>(() => services.AddLeaderElection("billing", o => o.ElectionPath = "/b"));
        Assert.Contains("'billing' is already registered", duplicate.Message);

        services.AddZkTypedState(o => o.ConnectionString = fixture.ConnectionString);
        services.AddLeaderElection("bad-path", o => o.ElectionPath = "no-slash");
        services.AddLeaderElection("bad-timeout", o =>
        {
            o.ElectionPath = "/ok";
            o.CloseTimeout = TimeSpan.Zero;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        OptionsValidationException missing = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<ILeaderElection>("billing"));
        Assert.Contains("ElectionPath is not set", missing.Message);
        OptionsValidationException badPath = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<ILeaderElection>("bad-path"));
        Assert.Contains("bad-path", badPath.Message);
        OptionsValidationException badTimeout = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<ILeaderElection>("bad-timeout"));
        Assert.Contains("CloseTimeout", badTimeout.Message);
    }

    private IHost BuildApp(string participant, string billingPath, string reportsPath)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = fixture.ConnectionString;
            o.SessionTimeout = SessionTimeout;
        });
        builder.Services.AddLeaderElection("billing", o =>
        {
            o.ElectionPath = billingPath;
            o.ParticipantId = participant;
        });
        builder.Services.AddLeaderElection("reports", o =>
        {
            o.ElectionPath = reportsPath;
            o.ParticipantId = participant;
        });
        builder.Services.AddHealthChecks().AddLeaderElection("billing").AddLeaderElection("reports");
        return builder.Build();
    }
}
