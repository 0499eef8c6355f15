using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>A real server serving TLS on its secureClientPort (and plain TCP on its client port), tickTime 200 ms.</summary>
public class TlsServerFixture : IAsyncLifetime
{
    private readonly ZooKeeperTestTlsMode _mode;

    public TlsServerFixture()
        : this(ZooKeeperTestTlsMode.Tls)
    {
    }

    protected TlsServerFixture(ZooKeeperTestTlsMode mode) => _mode = mode;

    public ZooKeeperTestServer Server { get; private set; } = null!;

    public ZooKeeperTestTlsCertificates Certificates => Server.TlsCertificates!;

    public async Task InitializeAsync() =>
        Server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200, MaxSessionTimeoutMs = 30_000, TlsMode = _mode });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>TLS options that trust the server's generated CA and nothing else.</summary>
    public ZooKeeperTlsOptions TrustingTls(bool withClientCertificate = false)
    {
        var tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { Certificates.CaCertificate } };
        if (withClientCertificate)
        {
            tls.ClientCertificates.Add(Certificates.ClientCertificate);
        }

        return tls;
    }

    public async Task<ZooKeeperClient> ConnectAsync(string connectionString, ZooKeeperTlsOptions? tls, TimeSpan? sessionTimeout = null)
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            Tls = tls,
        });
        try
        {
            await client.WaitForConnectedAsync(Timeouts.Token());
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A real server requiring a client certificate from its own CA (ssl.clientAuth=need, x509 provider).</summary>
public sealed class MutualTlsServerFixture : TlsServerFixture
{
    public MutualTlsServerFixture()
        : base(ZooKeeperTestTlsMode.MutualTls)
    {
    }
}
