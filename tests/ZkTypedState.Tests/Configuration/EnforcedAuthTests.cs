using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Configuration;

/// <summary>A server that requires digest authentication (enforce.auth), shared by <see cref="EnforcedAuthTests"/>.</summary>
public sealed class EnforcedAuthServerFixture : IAsyncLifetime
{
    public const string User = "app";
    public const string Password = "s3cret";

    public ZooKeeperTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000, EnforceAuthSchemes = "digest" });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A client authenticated as the app's user (the server closes unauthenticated sessions at their first request).</summary>
    public async Task<ZooKeeperClient> ConnectAsAppAsync()
    {
        ZooKeeperClient client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = Server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10) }, Timeouts.Token());
        await client.AddDigestAuthAsync(User, Password, Timeouts.Token());
        return client;
    }
}

/// <summary>
/// Issue 16 item 3: options bound from configuration, credentials included, connect to a server that requires them;
/// a wrong password behaves as documented (digest accepts it; protected nodes answer NoAuth).
/// </summary>
public sealed class EnforcedAuthTests(EnforcedAuthServerFixture fixture) : IClassFixture<EnforcedAuthServerFixture>
{
    [Fact]
    public async Task Credentials_bound_from_configuration_load_a_protected_node_Fresh_and_write_it()
    {
        string path = await CreateProtectedNodeAsync();

        using IHost host = await StartHostAsync(path, EnforcedAuthServerFixture.Password);
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();

        Assert.Equal(ZNodeStatus.Fresh, node.Status);
        Assert.Equal(42, node.Value.Limit);
        await node.SetAsync(new PaymentsConfig { Limit = 43 }, cancellationToken: Timeouts.Token());
        Assert.Equal(43, node.Value.Limit);
        Assert.Equal(HealthStatus.Healthy, (await HealthReportAssert.CheckAsync(host)).Status);
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task A_wrong_password_is_accepted_by_digest_and_the_protected_node_fails_startup_as_faulted()
    {
        string path = await CreateProtectedNodeAsync();

        var error = await Assert.ThrowsAsync<ZkTypedStateStartupException>(() => StartHostAsync(path, "wrong-password"));

        Assert.Equal([path], error.Faulted);
        // The read failed (NoAuth), the payload was never seen: the message says so, not "rejected payload".
        Assert.Contains($"faulted: {path} (read failed: NoAuthException: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected payload", error.Message, StringComparison.Ordinal);
        Assert.IsType<Client.NoAuthException>(error.FaultErrors[path]);
    }

    [Fact]
    public async Task A_wrong_password_with_Continue_serves_the_default_faulted_with_NoAuth_on_a_healthy_session()
    {
        string path = await CreateProtectedNodeAsync();

        using IHost host = await StartHostAsync(path, "wrong-password", continueOnFailure: true);
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        ZNodeSnapshot<PaymentsConfig> faulted = await NodeEvents<PaymentsConfig>.WaitUntilAsync(node, s => s.Status == ZNodeStatus.Faulted);

        // Digest never rejects a password: the session is fine, only what the ACL protects is refused.
        Assert.IsType<NoAuthException>(faulted.Error);
        Assert.Equal(100, faulted.Value.Limit);
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        Assert.False(session.IsAuthFailed);
        Assert.Equal(ZooKeeperState.Connected, session.State);
        Assert.Equal(HealthStatus.Degraded, (await HealthReportAssert.CheckAsync(host)).Status);
        await Assert.ThrowsAsync<NoAuthException>(() => node.SetAsync(new PaymentsConfig { Limit = 1 }, cancellationToken: Timeouts.Token()));
        await host.StopAsync(Timeouts.Token());
    }

    private async Task<string> CreateProtectedNodeAsync()
    {
        string path = RuntimeServerFixture.UniquePath("enforced");
        await using ZooKeeperClient admin = await fixture.ConnectAsAppAsync();
        await admin.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":42}"""), CreateMode.Persistent, [Acl.Digest(EnforcedAuthServerFixture.User, EnforcedAuthServerFixture.Password, Permissions.All)], cancellationToken: Timeouts.Token());
        return path;
    }

    private async Task<IHost> StartHostAsync(string path, string password, bool continueOnFailure = false)
    {
        // As an app would have it: appsettings.json for the connection, the password from a secret store or environment.
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ZooKeeper:ConnectionString"] = fixture.Server.ConnectionString,
                ["ZooKeeper:SessionTimeout"] = "00:00:04",
                ["ZooKeeper:InitialSyncTimeout"] = "00:00:20",
                ["ZooKeeper:Credentials:0:Scheme"] = "digest",
                ["ZooKeeper:Credentials:0:User"] = EnforcedAuthServerFixture.User,
                ["ZooKeeper:InitialSyncFailure"] = continueOnFailure ? "Continue" : "FailStartup",
            })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ZooKeeper:Credentials:0:Password"] = password })
            .Build();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(configuration.GetSection("ZooKeeper")).AddZNode(Descriptors.Payments(path));
        builder.Services.AddHealthChecks().AddZkTypedState();
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(Timeouts.Token());
            return host;
        }
        catch
        {
            await ((IAsyncDisposable)host).DisposeAsync();
            throw;
        }
    }
}
