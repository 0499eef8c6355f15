using System.Net;
using System.Security.Cryptography.X509Certificates;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class TestCertificateAuthorityTests
{
    [Fact]
    public void Issued_certificates_chain_to_the_root_and_lie_well_within_its_validity()
    {
        using var authority = TestCertificateAuthority.Create();
        using var server = authority.IssueServerCertificate();
        using var client = authority.IssueClientCertificate("svc");

        foreach (var issued in new[] { server, client })
        {
            Assert.True(issued.HasPrivateKey);
            Assert.Equal(authority.Certificate.Subject, issued.Issuer);

            // Issued a moment after the root, yet never outside it (the root is valid a day longer on both ends).
            Assert.True(issued.NotBefore - authority.Certificate.NotBefore >= TimeSpan.FromHours(23), $"{issued.NotBefore:O} vs {authority.Certificate.NotBefore:O}");
            Assert.True(authority.Certificate.NotAfter - issued.NotAfter >= TimeSpan.FromDays(300), $"{issued.NotAfter:O} vs {authority.Certificate.NotAfter:O}");

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority.Certificate);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(issued), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }

        var names = new X509SubjectAlternativeNameExtension(server.Extensions["2.5.29.17"]!.RawData);
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.Equal("CN=svc", client.Subject);
        Assert.False(authority.Certificate.HasPrivateKey);
    }
}
