using System.Net.Security;
using System.Security.Authentication;
using Xunit.Abstractions;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>
/// TLS 1.3 (not ZooKeeper 3.8's default): the server checks the client certificate only after the client's handshake has
/// completed, so its refusal arrives as an alert on the first read. It must still be a typed TLS error.
/// </summary>
public sealed class Tls13Tests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_TLS13_server_refusing_a_missing_client_certificate_after_the_handshake_is_a_TLS_error()
    {
        var options = new ZooKeeperTestServerOptions { TlsMode = ZooKeeperTestTlsMode.MutualTls };
        options.ExtraConfig["ssl.protocol"] = "TLSv1.3";
        options.ExtraConfig["ssl.enabledProtocols"] = "TLSv1.3";

        // ZooKeeper's default cipher list holds only TLS 1.2 suites.
        options.ExtraConfig["ssl.ciphersuites"] = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384";
        await using var server = await ZooKeeperTestServer.StartAsync(options);
        var tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { server.TlsCertificates!.CaCertificate }, EnabledProtocols = SslProtocols.Tls13 };

        var failure = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => TlsTestSupport.OpenAsync(server.SecurePort!.Value, tls, TimeSpan.FromSeconds(5)));
        output.WriteLine(failure.Message);
        Assert.Contains("ended the TLS session right after the handshake", failure.Message);
        Assert.Contains("set Tls.ClientCertificates", failure.Message);
        Assert.Equal(SslPolicyErrors.None, failure.CertificateErrors);

        tls.ClientCertificates.Add(server.TlsCertificates.ClientCertificate);
        await using var connection = await TlsTestSupport.OpenAsync(server.SecurePort!.Value, tls, TimeSpan.FromSeconds(5));
        Assert.NotEqual(0, connection.Handshake.SessionId);
    }
}
