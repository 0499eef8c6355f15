using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

[Collection(RuntimeCollection.Name)]
public sealed class AuthTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Digest_credentials_read_a_protected_node_and_are_resent_after_a_reconnect()
    {
        string path = RuntimeServerFixture.UniquePath("secret");
        await using (var owner = await fixture.ConnectAsync())
        {
            await owner.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":42}"""), CreateMode.Persistent, [Acl.Digest("app", "s3cret", Permissions.All)]);
        }

        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.AddDigestCredentials("app", "s3cret"));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var events = new NodeEvents<PaymentsConfig>(node);
        Assert.Equal(42, node.Value.Limit);

        // Auth is per connection: after the reconnect the client must authenticate again to keep reading.
        proxy.Cut();
        await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Stale);
        proxy.Restore();
        await events.NextSignalAsync(ZNodeSignalKind.Resynced);
        await node.SetAsync(new PaymentsConfig { Limit = 43 });

        Assert.Equal(43, node.Value.Limit);
        Assert.Equal(ZNodeStatus.Fresh, node.Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_rejected_credential_is_unhealthy_and_new_sessions_are_retried_slowly_not_spun()
    {
        string path = RuntimeServerFixture.UniquePath();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(path)),
            o =>
            {
                o.AddCredentials("no-such-scheme", [1, 2, 3]);
                o.MaxNewSessionDelay = TimeSpan.FromSeconds(1);
                o.InitialSyncTimeout = TimeSpan.FromMilliseconds(300);
                o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
            });
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        await Harness.UntilAsync(() => session.IsAuthFailed, "the session reports the auth failure");

        Assert.Equal(HealthStatus.Unhealthy, (await HealthReportAssert.CheckAsync(host)).Status);
        long epoch = session.Epoch;
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // One new session a second at most (the MaxNewSessionDelay), not a tight loop.
        Assert.InRange(session.Epoch - epoch, 1, 3);
        Assert.True(session.IsAuthFailed || session.State != ZooKeeperState.Connected);
        await host.StopAsync();
    }
}
