using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZkTypedState.Testing;

/// <summary>
/// The certificates a TLS-mode <see cref="ZooKeeperTestServer"/> generated for itself, and the files it gave the
/// server: a PKCS#12 key store with the server certificate and key, and a PEM trust store with the CA.
/// </summary>
/// <remarks>
/// The trust store is PEM because Java's PKCS#12 loader ignores certificates without a private key unless they carry
/// an Oracle-specific attribute that .NET does not write; ZooKeeper reads PEM trust stores since 3.5.5.
/// </remarks>
public sealed class ZooKeeperTestTlsCertificates : IDisposable
{
    /// <summary>File name of the server key store inside the data directory.</summary>
    public const string KeyStoreFileName = "tls-keystore.p12";

    /// <summary>File name of the trust store (the CA, PEM) inside the data directory.</summary>
    public const string TrustStoreFileName = "tls-truststore.pem";

    private ZooKeeperTestTlsCertificates(TestCertificateAuthority authority, X509Certificate2 server, X509Certificate2 client, string directory)
    {
        Authority = authority;
        ServerCertificate = server;
        ClientCertificate = client;
        KeyStorePath = Path.Combine(directory, KeyStoreFileName);
        TrustStorePath = Path.Combine(directory, TrustStoreFileName);
        KeyStorePassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
    }

    /// <summary>The generated CA; use it to issue further client certificates.</summary>
    public TestCertificateAuthority Authority { get; }

    /// <summary>The CA certificate (no private key): what a client trusts to accept the server.</summary>
    public X509Certificate2 CaCertificate => Authority.Certificate;

    /// <summary>The server's certificate (with key), valid for <c>localhost</c> and <c>127.0.0.1</c>.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>A client certificate (with key) issued by the same CA, for mutual TLS (subject <c>CN=zk-test-client</c>).</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>The PKCS#12 key store given to the server (<c>ssl.keyStore.location</c>).</summary>
    public string KeyStorePath { get; }

    /// <summary>The key store's password (random per server).</summary>
    public string KeyStorePassword { get; }

    /// <summary>The PEM trust store given to the server (<c>ssl.trustStore.location</c>).</summary>
    public string TrustStorePath { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        ServerCertificate.Dispose();
        ClientCertificate.Dispose();
        Authority.Dispose();
    }

    /// <summary>Generates a CA, a server and a client certificate and writes the key and trust stores into <paramref name="directory"/>.</summary>
    internal static ZooKeeperTestTlsCertificates Create(string directory)
    {
        var authority = TestCertificateAuthority.Create();
        var certificates = new ZooKeeperTestTlsCertificates(authority, authority.IssueServerCertificate(), authority.IssueClientCertificate(), directory);
        certificates.WriteStores();
        return certificates;
    }

    /// <summary>(Re)writes the store files, e.g. into a data directory that was wiped.</summary>
    internal void WriteStores()
    {
        // PBES2 with AES-256 and SHA-256: readable by Java 11+ (the legacy 3DES/RC2 format is being retired there).
        var keyStore = ServerCertificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, KeyStorePassword);
        File.WriteAllBytes(KeyStorePath, keyStore);
        File.WriteAllText(TrustStorePath, CaCertificate.ExportCertificatePem() + "\n");
    }
}
