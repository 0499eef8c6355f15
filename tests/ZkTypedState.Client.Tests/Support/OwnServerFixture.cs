using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>A server of the test class's own (tickTime 200 ms), for tests that restart it or cut it off.</summary>
public sealed class OwnServerFixture : IAsyncLifetime
{
    public ZooKeeperTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000 });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();

        // Suite-level: every test that shared this server is done; none may have left a faulted task unobserved.
        UnobservedExceptions.AssertNone();
    }

    public async Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, double presumedExpiryFraction = 1.0)
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            PresumedExpiryFraction = presumedExpiryFraction,
        });
        await client.WaitForConnectedAsync(Timeouts.Token());
        return client;
    }
}
