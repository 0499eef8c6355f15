using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;
using ZkTypedState.Tests.Configuration;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>
/// The runtime against a server that requires authentication (enforce.auth) when the app has no credentials: the
/// server's -124 takes the documented auth-failure path (IsAuthFailed, health Unhealthy, slow new sessions, a startup
/// failure naming the cause) instead of faulting nodes on a session that reconnects forever.
/// </summary>
public sealed class EnforcedAuthWithoutCredentialsTests(EnforcedAuthServerFixture fixture) : IClassFixture<EnforcedAuthServerFixture>
{
    [Fact]
    public async Task Without_credentials_the_session_is_AuthFailed_unhealthy_and_the_node_is_not_faulted()
    {
        var logs = new CapturingLoggerProvider();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(RuntimeServerFixture.UniquePath("enforced"))),
            o =>
            {
                o.MaxNewSessionDelay = TimeSpan.FromSeconds(1);
                o.InitialSyncTimeout = TimeSpan.FromMilliseconds(300);
                o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
            },
            s => s.AddLogging(l => l.AddProvider(logs)));
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();

        await Harness.UntilAsync(() => session.IsAuthFailed, "the session reports the auth failure");

        Assert.IsType<SessionClosedRequireAuthException>(session.LastAuthFailure);
        Assert.Equal(HealthStatus.Unhealthy, (await HealthReportAssert.CheckAsync(host)).Status);
        // Not a payload or read error of the node: the reads were aborted with the session (before, -124 faulted it).
        Assert.NotEqual(ZNodeStatus.Faulted, node.Status);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("requires authentication (enforce.auth) and no credentials were accepted", StringComparison.Ordinal));
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task Without_credentials_FailStartup_fails_naming_enforce_auth()
    {
        TimeoutException error = await FailingHost.StartAsync<TimeoutException>(s => s.AddZkTypedState(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.SessionTimeout = TimeSpan.FromSeconds(4);
            o.InitialSyncTimeout = TimeSpan.FromSeconds(2);
        }).AddZNode(Descriptors.Payments(RuntimeServerFixture.UniquePath("enforced"))));

        Assert.Contains("requires authentication (enforce.auth) and no credentials were accepted", error.Message);
        Assert.IsType<SessionClosedRequireAuthException>(error.InnerException);
    }
}
