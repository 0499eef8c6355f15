using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Tests.Support;

/// <summary>A real server for the runtime tests (tickTime 200 ms, sessions up to 30 s).</summary>
public sealed class RuntimeServerFixture : IAsyncLifetime
{
    public ZooKeeperTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000 });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public static string UniquePath(string hint = "rt") => $"/{hint}-{Guid.NewGuid():N}";

    public async Task<ZooKeeperClient> ConnectAsync() =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = Server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10) }, Timeouts.Token());

    /// <summary>Builds and starts a host with the runtime, bound nodes registered by <paramref name="bind"/>.</summary>
    public static async Task<IHost> StartHostAsync(string connectionString, Action<ZkTypedStateBuilder> bind, Action<ZkTypedStateOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ZkTypedStateBuilder zk = builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = connectionString;
            o.SessionTimeout = TimeSpan.FromSeconds(4);
            o.InitialSyncTimeout = TimeSpan.FromSeconds(20);
            configure?.Invoke(o);
        });
        bind(zk);
        services?.Invoke(builder.Services);
        builder.Services.AddHealthChecks().AddZkTypedState();
        IHost host = builder.Build();
        await host.StartAsync(Timeouts.Token());
        return host;
    }

    public static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);
}

[CollectionDefinition(Name)]
public sealed class RuntimeCollection : ICollectionFixture<RuntimeServerFixture>
{
    public const string Name = "runtime-server";
}
