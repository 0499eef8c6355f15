using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The text form of <see cref="ZkTypedStateOptions.Tls"/> in configuration: certificate files instead of certificate
/// objects. Applied on top of whatever <see cref="ZooKeeperTlsOptions"/> is already set (certificates are added).
/// <see cref="ZooKeeperTlsOptions.ServerCertificateValidation"/> has no text form (code only).
/// </summary>
internal sealed class ZkTypedStateTlsBinding
{
    /// <summary>False turns TLS off (<c>"Tls": { "Enabled": false }</c>); any Tls section turns it on otherwise.</summary>
    public bool? Enabled { get; set; }

    public string? TargetHost { get; set; }

    public SslProtocols? EnabledProtocols { get; set; }

    public X509RevocationMode? CertificateRevocationCheckMode { get; set; }

    /// <summary>A PKCS#12 (.pfx/.p12) file with the key, or a PEM certificate (with <see cref="ClientCertificateKeyPath"/>, or its key in the same file).</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientCertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 password, or the password of an encrypted PEM key. Never logged.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>CA certificate files (PEM, possibly several in one file, or DER) replacing the system's trusted roots.</summary>
    public List<string> TrustedRootCertificatePaths { get; } = [];

    public void ApplyTo(ZkTypedStateOptions options)
    {
        if (Enabled == false)
        {
            options.Tls = null;
            return;
        }

        ZooKeeperTlsOptions tls = options.Tls ??= new ZooKeeperTlsOptions();
        if (TargetHost is not null)
        {
            tls.TargetHost = TargetHost;
        }

        if (EnabledProtocols is { } protocols)
        {
            tls.EnabledProtocols = protocols;
        }

        if (CertificateRevocationCheckMode is { } revocation)
        {
            tls.CertificateRevocationCheckMode = revocation;
        }

        if (ClientCertificatePath is not null)
        {
            tls.ClientCertificates.Add(LoadClientCertificate());
        }
        else if (ClientCertificateKeyPath is not null)
        {
            throw new ArgumentException("ZkTypedStateOptions.Tls.ClientCertificateKeyPath is set without ClientCertificatePath.");
        }

        for (int i = 0; i < TrustedRootCertificatePaths.Count; i++)
        {
            string path = TrustedRootCertificatePaths[i];
            string name = $"ZkTypedStateOptions.Tls.TrustedRootCertificatePaths[{i}]";
            Load(name, path, () =>
            {
                if (IsPem(path))
                {
                    var bundle = new X509Certificate2Collection();
                    bundle.ImportFromPemFile(path);
                    if (bundle.Count == 0)
                    {
                        throw new CryptographicException("the file holds no PEM certificate");
                    }

                    tls.TrustedRootCertificates.AddRange(bundle);
                }
                else
                {
                    tls.TrustedRootCertificates.Add(X509CertificateLoader.LoadCertificateFromFile(path));
                }

                return true;
            });
        }
    }

    private X509Certificate2 LoadClientCertificate()
    {
        string path = ClientCertificatePath!;
        return Load("ZkTypedStateOptions.Tls.ClientCertificatePath", path, () =>
        {
            if (!IsPem(path))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, ClientCertificatePassword);
            }

            string? keyPath = ClientCertificateKeyPath;
            if (keyPath is not null && !File.Exists(keyPath))
            {
                throw new FileNotFoundException($"ZkTypedStateOptions.Tls.ClientCertificateKeyPath '{keyPath}' does not exist.", keyPath);
            }

            using X509Certificate2 pem = ClientCertificatePassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                : X509Certificate2.CreateFromPemFile(path, keyPath);

            // A PEM key is ephemeral; some platforms' TLS stacks need it in a key store form, which a PKCS#12 round trip gives.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        });
    }

    private static T Load<T>(string name, string path, Func<T> load)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{name} is empty.");
        }

        if (!File.Exists(path))
        {
            throw new ArgumentException($"{name}: the file '{path}' does not exist.");
        }

        try
        {
            return load();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"{name}: cannot load a certificate from '{path}': {ex.Message}", ex);
        }
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        char[] start = new char[64];
        int read = reader.ReadBlock(start);
        return new string(start, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
    }
}
