using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>A server with ssl.clientAuth=need: the client certificate is the client's identity, and its absence is a clear error.</summary>
public sealed class MutualTlsTests(MutualTlsServerFixture fixture, ITestOutputHelper output) : IClassFixture<MutualTlsServerFixture>
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task The_client_certificate_is_the_sessions_x509_identity()
    {
        string path = ZooKeeperServerFixture.UniquePath("mtls");
        var onlyThisCertificate = new[] { new Acl(Permissions.All, new ZkId("x509", "CN=zk-test-client")) };
        await using var client = await fixture.ConnectAsync(fixture.Server.SecureConnectionString!, fixture.TrustingTls(withClientCertificate: true));

        await client.CreateAsync(path, Encoding.UTF8.GetBytes("secret"), acl: onlyThisCertificate);
        Assert.Equal("secret", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));

        // The same node is closed to a session without that certificate: the server really authenticated it.
        await using var plain = await fixture.ConnectAsync(fixture.Server.ConnectionString, tls: null);
        await Assert.ThrowsAsync<NoAuthException>(() => plain.GetDataAsync(path));
    }

    [Fact]
    public async Task Without_a_client_certificate_the_handshake_fails_with_a_hint()
    {
        var failure = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => TlsTestSupport.OpenAsync(fixture.Server.SecurePort!.Value, fixture.TrustingTls(), AttemptTimeout));
        output.WriteLine(failure.Message);

        Assert.Equal(System.Net.Security.SslPolicyErrors.None, failure.CertificateErrors);
        Assert.Contains("set Tls.ClientCertificates", failure.Message);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        using var other = TestCertificateAuthority.Create("Some other CA");
        using var stranger = other.IssueClientCertificate("stranger");
        var tls = fixture.TrustingTls();
        tls.ClientCertificates.Add(stranger);

        var failure = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => TlsTestSupport.OpenAsync(fixture.Server.SecurePort!.Value, tls, AttemptTimeout));
        output.WriteLine(failure.Message);

        Assert.Contains("Check that the server trusts the issuer of the client certificate", failure.Message);
    }
}
