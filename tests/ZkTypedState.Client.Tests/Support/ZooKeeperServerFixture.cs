using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>One real ZooKeeper server shared by the tests of a collection (tickTime 200 ms: sessions of 0.4–4 s).</summary>
public sealed class ZooKeeperServerFixture : IAsyncLifetime
{
    public ZooKeeperTestServer Server { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, ContainerCheckIntervalMs = 200 });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();

        // Suite-level: every test that shared this server is done; none may have left a faulted task unobserved.
        UnobservedExceptions.AssertNone();
    }

    public Task<ZooKeeperClient> ConnectAsync(string? chroot = null, TimeSpan? sessionTimeout = null) =>
        ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions
            {
                ConnectionString = Server.ConnectionString + (chroot ?? string.Empty),
                SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            },
            Timeouts.Token());

    /// <summary>A fresh top-level path, so tests sharing the server never see each other's nodes.</summary>
    public static string UniquePath(string hint = "t") => $"/{hint}-{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "zookeeper-server";
}

[CollectionDefinition(Name)]
public sealed class WatchServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "zookeeper-server-watches";
}
