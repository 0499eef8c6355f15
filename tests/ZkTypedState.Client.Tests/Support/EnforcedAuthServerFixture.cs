using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>A server that requires digest authentication (enforce.auth.enabled, enforce.auth.schemes=digest).</summary>
public sealed class EnforcedAuthServerFixture : IAsyncLifetime
{
    public ZooKeeperTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000, EnforceAuthSchemes = "digest" });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        UnobservedExceptions.AssertNone();
    }
}
