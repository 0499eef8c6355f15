using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests.Support;

/// <summary>One real ZooKeeper server (tickTime 200 ms: sessions of 0.4–4 s) shared by the recipe tests.</summary>
public sealed class ZooKeeperFixture : IAsyncLifetime
{
    public ZooKeeperTestServer Server { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200 });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh election path, so tests sharing the server never see each other's nodes.</summary>
    public static string UniquePath(string hint = "election") => $"/recipes/{hint}-{Guid.NewGuid():N}";

    /// <summary>Starts a session owner and waits until its first session is connected.</summary>
    public static async Task<ZooKeeperSession> StartSessionAsync(string connectionString, TimeSpan? sessionTimeout = null, double presumedExpiryFraction = 1.0)
    {
        var session = new ZooKeeperSession(new ZkTypedStateOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            PresumedExpiryFraction = presumedExpiryFraction,
            MaxNewSessionDelay = TimeSpan.FromMilliseconds(200),
        });
        session.Start();
        await session.GetConnectedClientAsync(Timeouts.Token());
        return session;
    }

    /// <summary>A plain client for observing and meddling.</summary>
    public Task<ZooKeeperClient> ConnectAsync() =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) }, Timeouts.Token());
}

[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "recipes-zookeeper";
}
