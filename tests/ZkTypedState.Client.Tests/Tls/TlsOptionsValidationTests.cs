using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>Invalid TLS settings are rejected when the client is created, with a message naming the setting.</summary>
public sealed class TlsOptionsValidationTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new ZooKeeperTlsOptions().Validate();
        new ZooKeeperTlsOptions { EnabledProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, TargetHost = "zk.example.com" }.Validate();
    }

    [Fact]
    public void A_client_certificate_without_its_private_key_is_rejected()
    {
        using var authority = TestCertificateAuthority.Create();
        using var withKey = authority.IssueClientCertificate();
        using var publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
        var tls = new ZooKeeperTlsOptions { ClientCertificates = { publicOnly } };

        var failure = Assert.Throws<ArgumentException>(tls.Validate);
        Assert.Contains("Tls.ClientCertificates[0] (CN=zk-test-client) has no private key", failure.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("zk host")]
    public void A_target_host_that_is_not_a_host_name_is_rejected(string host)
    {
        var failure = Assert.Throws<ArgumentException>(new ZooKeeperTlsOptions { TargetHost = host }.Validate);
        Assert.Contains("Tls.TargetHost", failure.Message);
    }

    [Fact]
    public void Protocols_older_than_TLS_1_2_are_rejected()
    {
        const SslProtocols Tls11 = (SslProtocols)0x0300;
        var failure = Assert.Throws<ArgumentOutOfRangeException>(new ZooKeeperTlsOptions { EnabledProtocols = Tls11 | SslProtocols.Tls12 }.Validate);
        Assert.Contains("Tls.EnabledProtocols", failure.Message);
    }

    [Fact]
    public void An_undefined_revocation_mode_is_rejected()
    {
        var failure = Assert.Throws<ArgumentOutOfRangeException>(new ZooKeeperTlsOptions { CertificateRevocationCheckMode = (X509RevocationMode)42 }.Validate);
        Assert.Contains("Tls.CertificateRevocationCheckMode", failure.Message);
    }

    [Fact]
    public void The_client_validates_its_TLS_options_when_created()
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:1", Tls = new ZooKeeperTlsOptions { TargetHost = " " } };

        var failure = Assert.Throws<ArgumentException>(() => new ZooKeeperClient(options));
        Assert.Contains("Tls.TargetHost", failure.Message);
    }
}
