namespace ZkTypedState.Testing;

/// <summary>Whether a <see cref="ZooKeeperTestServer"/> also serves TLS on a <c>secureClientPort</c>.</summary>
public enum ZooKeeperTestTlsMode
{
    /// <summary>Plain TCP only (the default).</summary>
    None,

    /// <summary>
    /// TLS on <see cref="ZooKeeperTestServer.SecurePort"/> with a server certificate issued by a generated CA
    /// (<see cref="ZooKeeperTestTlsCertificates.CaCertificate"/>); clients need no certificate (<c>ssl.clientAuth=none</c>).
    /// </summary>
    Tls,

    /// <summary>
    /// Mutual TLS: as <see cref="Tls"/>, and the server requires a client certificate issued by the same CA
    /// (<c>ssl.clientAuth=need</c>, <see cref="ZooKeeperTestTlsCertificates.ClientCertificate"/>). The server's x509
    /// authentication provider gives such a client the identity of its certificate's subject.
    /// </summary>
    MutualTls,
}
