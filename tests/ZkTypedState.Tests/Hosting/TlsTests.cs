using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>The runtime's <see cref="ZkTypedStateOptions.Tls"/> reaches the client: bound values load and write over TLS.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Bound_values_load_and_write_over_TLS_when_the_runtime_options_set_it()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TlsMode = ZooKeeperTestTlsMode.MutualTls });
        string path = RuntimeServerFixture.UniquePath("tls");
        await using (var plain = await ZooKeeperClient.ConnectAsync(server.ConnectionString, cancellationToken: new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            await plain.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":7}"""));
        }

        using IHost host = await RuntimeServerFixture.StartHostAsync(
            server.SecureConnectionString!,
            b => b.AddZNode(Descriptors.Payments(path)),
            o => o.Tls = new ZooKeeperTlsOptions
            {
                TrustedRootCertificates = { server.TlsCertificates!.CaCertificate },
                ClientCertificates = { server.TlsCertificates.ClientCertificate },
            });
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        Assert.Equal(7, node.Value.Limit);

        await node.SetAsync(new PaymentsConfig { Limit = 8 });
        Assert.Equal(8, node.Value.Limit);
        var session = host.Services.GetRequiredService<ZooKeeperSession>();
        Assert.Equal(server.SecureConnectionString, session.Client?.ConnectedServer);
        await host.StopAsync();
    }
}
