using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZkTypedState.Testing;

/// <summary>
/// A throw-away certificate authority for TLS tests, made in memory with <see cref="CertificateRequest"/> (no
/// external tool): a self-signed root that issues server certificates (with subject alternative names) and client
/// certificates. Keys are ECDSA P-256; issued certificates are valid from a day ago for a year, the root from two days
/// ago for two years, so an issued certificate always lies within its issuer's validity.
/// </summary>
/// <remarks>
/// Give <see cref="Certificate"/> (public part only) to a client as its trusted root; give an issued server certificate to
/// a server. Two authorities never trust each other, which is how a test makes an "untrusted CA".
/// </remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 withKey;

    private TestCertificateAuthority(X509Certificate2 withKey)
    {
        this.withKey = withKey;
        Certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    /// <summary>The root certificate without its private key: what a client trusts.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Creates a new self-signed root.</summary>
    /// <param name="commonName">The subject's CN.</param>
    /// <returns>The authority; dispose it when done.</returns>
    public static TestCertificateAuthority Create(string commonName = "ZkTypedState Test CA")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-2), now.AddYears(2)));
    }

    /// <summary>
    /// Issues a server certificate (extended key usage serverAuth) for <paramref name="dnsNames"/> and
    /// <paramref name="ipAddresses"/>; by default <c>localhost</c> and <c>127.0.0.1</c>.
    /// </summary>
    /// <param name="dnsNames">DNS subject alternative names; <see langword="null"/> for <c>localhost</c>.</param>
    /// <param name="ipAddresses">IP subject alternative names; <see langword="null"/> for <c>127.0.0.1</c>.</param>
    /// <returns>The certificate with its private key.</returns>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? ipAddresses = null) =>
        Issue("ZkTypedState test server", "1.3.6.1.5.5.7.3.1", dnsNames ?? ["localhost"], ipAddresses ?? [IPAddress.Loopback]);

    /// <summary>
    /// Issues a client certificate (extended key usage clientAuth) with subject <c>CN=<paramref name="commonName"/></c>. It also
    /// names <c>localhost</c> and <c>127.0.0.1</c>, because ZooKeeper's trust manager checks a client certificate against the
    /// client's address when <c>ssl.hostnameVerification</c> is on (its default).
    /// </summary>
    /// <param name="commonName">The subject's CN (ZooKeeper's x509 provider uses the subject as the client's identity).</param>
    /// <returns>The certificate with its private key.</returns>
    public X509Certificate2 IssueClientCertificate(string commonName = "zk-test-client") =>
        Issue(commonName, "1.3.6.1.5.5.7.3.2", ["localhost"], [IPAddress.Loopback]);

    /// <inheritdoc/>
    public void Dispose()
    {
        withKey.Dispose();
        Certificate.Dispose();
    }

    private X509Certificate2 Issue(string commonName, string extendedKeyUsageOid, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(withKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var ip in ipAddresses)
        {
            names.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var publicOnly = request.Create(withKey, now.AddDays(-1), now.AddYears(1), serial);
        return publicOnly.CopyWithPrivateKey(key);
    }
}
