using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZkTypedState.Testing;

/// <summary>
/// The certificates a TLS-mode <see cref="ZooKeeperTestServer"/> (or every member of a TLS-mode
/// <see cref="ZooKeeperTestCluster"/>) was given, and the files written into its data directory: a PKCS#12 key store
/// (<see cref="KeyStoreFileName"/>) with the server certificate and key, and a PEM trust store
/// (<see cref="TrustStoreFileName"/>) with the CA.
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

    private ZooKeeperTestTlsCertificates(TestCertificateAuthority authority, X509Certificate2 server, X509Certificate2 client)
    {
        Authority = authority;
        ServerCertificate = server;
        ClientCertificate = client;
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

    /// <summary>The key store's password (random per server or cluster).</summary>
    public string KeyStorePassword { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        ServerCertificate.Dispose();
        ClientCertificate.Dispose();
        Authority.Dispose();
    }

    /// <summary>Generates a CA, a server certificate (shared by every member of a cluster: all are 127.0.0.1) and a client certificate.</summary>
    internal static ZooKeeperTestTlsCertificates Generate()
    {
        var authority = TestCertificateAuthority.Create();
        return new ZooKeeperTestTlsCertificates(authority, authority.IssueServerCertificate(), authority.IssueClientCertificate());
    }

    /// <summary>Writes the key store and trust store into <paramref name="directory"/>.</summary>
    internal void WriteStores(string directory)
    {
        // PBES2 with AES-256 and SHA-256: readable by Java 11+ (the legacy 3DES/RC2 format is being retired there).
        var keyStore = ServerCertificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, KeyStorePassword);
        File.WriteAllBytes(Path.Combine(directory, KeyStoreFileName), keyStore);
        File.WriteAllText(Path.Combine(directory, TrustStoreFileName), CaCertificate.ExportCertificatePem() + "\n");
    }
}
