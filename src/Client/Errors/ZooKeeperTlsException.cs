using System.Net.Security;

namespace ZkTypedState.Client;

/// <summary>
/// The TLS handshake with a server failed (see <see cref="ZooKeeperClientOptions.Tls"/>): its certificate was not
/// trusted or did not name the host, it required a client certificate that was not sent or not accepted, or the port
/// does not speak TLS. The message says which; <see cref="Exception.InnerException"/> holds the
/// <see cref="System.Security.Authentication.AuthenticationException"/> or <see cref="IOException"/> from
/// <see cref="SslStream"/>. The client treats it as a failed connection attempt and keeps trying with its usual backoff.
/// </summary>
public sealed class ZooKeeperTlsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperTlsException(string host, string message, SslPolicyErrors certificateErrors = SslPolicyErrors.None, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
        CertificateErrors = certificateErrors;
    }

    /// <summary>The server (<c>host:port</c>) whose handshake failed.</summary>
    public string Host { get; }

    /// <summary>What was wrong with the server certificate, or <see cref="SslPolicyErrors.None"/> when the failure was elsewhere.</summary>
    public SslPolicyErrors CertificateErrors { get; }
}
