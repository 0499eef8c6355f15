using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ZkTypedState.Client;

/// <summary>
/// TLS for the client's connections (<see cref="ZooKeeperClientOptions.Tls"/>): every connection, including each
/// reconnect and failover to another host, is wrapped in an <see cref="SslStream"/> and authenticated before the
/// ZooKeeper handshake is sent. The servers must serve TLS on their <c>secureClientPort</c> (ZooKeeper 3.5+, Netty
/// connection factory), so the connection string names those ports.
/// </summary>
/// <remarks>
/// <para>By default the server certificate must chain to a root the operating system trusts and name the host as written
/// in the connection string. <see cref="TrustedRootCertificates"/> replaces the system roots with your own CA;
/// <see cref="ServerCertificateValidation"/> replaces the decision altogether.</para>
/// <para>A handshake that fails (untrusted or mismatched certificate, no client certificate where the server requires one,
/// a plain-TCP port) fails that connection attempt with <see cref="ZooKeeperTlsException"/>; the client keeps trying
/// the hosts with its usual backoff, and the handshake is bounded by the same connect timeout as the ZooKeeper handshake.</para>
/// </remarks>
public sealed class ZooKeeperTlsOptions
{
    /// <summary>
    /// The name the server certificate must carry (and the SNI name sent). <see langword="null"/> (the default) uses each
    /// host as written in the connection string, which is what you want unless you connect by an address the certificate
    /// does not name (a tunnel, a proxy, an IP address).
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// Client certificates for mutual TLS (servers with <c>ssl.clientAuth=need</c>); each needs its private key. When the
    /// server asks for one, the first whose issuer the server names as acceptable is sent, else the first. Empty (the default):
    /// no client certificate.
    /// </summary>
    public X509Certificate2Collection ClientCertificates { get; } = [];

    /// <summary>
    /// Custom trust: when not empty, the server's chain must end in one of these root CA certificates and the system's
    /// trusted roots are not consulted. Empty (the default): the system's roots.
    /// </summary>
    public X509Certificate2Collection TrustedRootCertificates { get; } = [];

    /// <summary>
    /// Decides whether to accept the server certificate, replacing the built-in decision (accept only when there are no
    /// errors). It receives the errors computed with <see cref="TrustedRootCertificates"/> and <see cref="TargetHost"/>.
    /// Returning <see langword="true"/> regardless of errors disables the protection TLS gives; do that only in tests.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>
    /// The TLS versions offered: <see cref="SslProtocols.None"/> (the default) lets the operating system choose (TLS 1.2 and
    /// 1.3 today), or <see cref="SslProtocols.Tls12"/> and/or <see cref="SslProtocols.Tls13"/>. ZooKeeper 3.8 serves TLS 1.2
    /// unless its <c>ssl.enabledProtocols</c> says otherwise.
    /// </summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// Whether the server certificate's revocation is checked (<see cref="X509RevocationMode.Online"/> fetches CRLs/OCSP,
    /// which can add the fetch time to every handshake). Default <see cref="X509RevocationMode.NoCheck"/>, as ZooKeeper's
    /// own client (<c>zookeeper.ssl.crl</c>/<c>ocsp</c> default off).
    /// </summary>
    public X509RevocationMode CertificateRevocationCheckMode { get; set; } = X509RevocationMode.NoCheck;

    /// <summary>Checks every setting; the client calls it when it is created.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and why.</exception>
    public void Validate()
    {
        if (TargetHost is { } target && (string.IsNullOrWhiteSpace(target) || target.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"Tls.TargetHost '{target}' is not a host name: leave it null to use each host of the connection string.", nameof(TargetHost));
        }

        for (int i = 0; i < ClientCertificates.Count; i++)
        {
            X509Certificate2 certificate = ClientCertificates[i];
            if (certificate is null)
            {
                throw new ArgumentException($"Tls.ClientCertificates[{i}] is null.", nameof(ClientCertificates));
            }

            if (!certificate.HasPrivateKey)
            {
                throw new ArgumentException($"Tls.ClientCertificates[{i}] ({certificate.Subject}) has no private key; a client certificate for mutual TLS needs its key (load it from a PFX/PKCS#12 or PEM with the key).", nameof(ClientCertificates));
            }

            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            {
                throw new ArgumentException($"Tls.ClientCertificates[{i}] ({certificate.Subject}) expired on {certificate.NotAfter.ToUniversalTime():u}.", nameof(ClientCertificates));
            }
        }

        for (int i = 0; i < TrustedRootCertificates.Count; i++)
        {
            if (TrustedRootCertificates[i] is null)
            {
                throw new ArgumentException($"Tls.TrustedRootCertificates[{i}] is null.", nameof(TrustedRootCertificates));
            }
        }

        const SslProtocols Supported = SslProtocols.Tls12 | SslProtocols.Tls13;
        if ((EnabledProtocols & ~Supported) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EnabledProtocols), EnabledProtocols, "Tls.EnabledProtocols must be None (the system's choice), Tls12, Tls13 or Tls12 | Tls13; older versions are insecure and ZooKeeper on Java 11+ refuses them.");
        }

        if (!Enum.IsDefined(CertificateRevocationCheckMode))
        {
            throw new ArgumentOutOfRangeException(nameof(CertificateRevocationCheckMode), CertificateRevocationCheckMode, "Tls.CertificateRevocationCheckMode must be NoCheck, Online or Offline.");
        }
    }
}
