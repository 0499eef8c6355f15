using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>One standalone ZooKeeper server shared by the tests of a class (small tick, long sessions allowed).</summary>
public sealed class StandaloneServerFixture : IAsyncLifetime
{
    private ZooKeeperTestServer? server;

    public ZooKeeperTestServer Server => server ?? throw new InvalidOperationException("Not started.");

    public static ZooKeeperTestServerOptions FastOptions() => new()
    {
        TickTimeMs = 200,
        MaxSessionTimeoutMs = 30000,
    };

    public async Task InitializeAsync() => server = await ZooKeeperTestServer.StartAsync(FastOptions());

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
