using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Connection;

/// <summary>
/// Turns a connected socket into the stream a <see cref="ZkConnection"/> speaks ZooKeeper over: the socket itself, or
/// an <see cref="SslStream"/> authenticated as a client under the caller's token (the connect timeout), so a server that
/// never finishes the handshake costs one timeout, never a hang. A failed handshake becomes a
/// <see cref="ZooKeeperTlsException"/> whose message says what was wrong.
/// </summary>
internal static class TlsTransport
{
    public static async Task<Stream> OpenStreamAsync(Socket socket, HostEndpoint host, ZooKeeperTlsOptions? tls, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        if (tls is null)
        {
            return network;
        }

        var verdict = new Verdict();
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(CreateOptions(host, tls, verdict), cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The timeout fired mid-handshake and surfaced as an I/O error: report it as the cancellation it is.
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException("The TLS handshake was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new ZooKeeperTlsException(host.ToString(), Describe(host, tls, verdict, ex), verdict.Errors, ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Whether an I/O error on an authenticated stream is the peer's TLS alert rather than a socket error. In TLS 1.3 a
    /// server checks the client certificate after the client's handshake has completed, so a refusal arrives only as an
    /// alert on the first read.
    /// </summary>
    public static bool IsTlsAlert(IOException ex) => ex.InnerException is not null and not SocketException and not IOException;

    public static ZooKeeperTlsException AlertAfterHandshake(HostEndpoint host, ZooKeeperTlsOptions tls, IOException ex)
    {
        string hint = tls.ClientCertificates.Count == 0
            ? "If the server requires a client certificate (ssl.clientAuth=need), set Tls.ClientCertificates."
            : "Check that the server trusts the issuer of the client certificate.";
        return new ZooKeeperTlsException(host.ToString(), $"ZooKeeper: {host} ended the TLS session right after the handshake: {Messages(ex)}. {hint}", SslPolicyErrors.None, ex);
    }

    private static SslClientAuthenticationOptions CreateOptions(HostEndpoint host, ZooKeeperTlsOptions tls, Verdict verdict)
    {
        string targetHost = tls.TargetHost ?? host.Host;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = tls.EnabledProtocols,
            CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                bool accepted;
                string? callbackFailure = null;
                try
                {
                    accepted = tls.ServerCertificateValidation?.Invoke(sender, certificate, chain, errors) ?? errors == SslPolicyErrors.None;
                }
                catch (Exception ex)
                {
                    // A throwing callback is a rejection with a reason, not an exception out of the handshake.
                    accepted = false;
                    callbackFailure = $"Tls.ServerCertificateValidation threw {ex.GetType().Name}: {ex.Message}";
                }

                if (!accepted)
                {
                    verdict.Capture(certificate, chain, errors, targetHost, callbackFailure ?? (tls.ServerCertificateValidation is null ? null : "Tls.ServerCertificateValidation rejected it"));
                }

                return accepted;
            },
        };

        if (tls.TrustedRootCertificates.Count > 0)
        {
            // Custom trust: only these roots anchor a chain; the system store is not consulted.
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = tls.CertificateRevocationCheckMode,
            };
            policy.CustomTrustStore.AddRange(tls.TrustedRootCertificates);
            options.CertificateChainPolicy = policy;
        }

        if (tls.ClientCertificates.Count > 0)
        {
            options.ClientCertificates = tls.ClientCertificates;
            options.LocalCertificateSelectionCallback = (_, _, _, _, acceptableIssuers) => SelectClientCertificate(tls.ClientCertificates, acceptableIssuers);
        }

        return options;
    }

    private static X509Certificate2 SelectClientCertificate(X509Certificate2Collection certificates, string[] acceptableIssuers)
    {
        foreach (X509Certificate2 certificate in certificates)
        {
            if (Array.IndexOf(acceptableIssuers, certificate.Issuer) >= 0)
            {
                return certificate;
            }
        }

        return certificates[0];
    }

    private static string Describe(HostEndpoint host, ZooKeeperTlsOptions tls, Verdict verdict, Exception ex)
    {
        string prefix = $"ZooKeeper: the TLS handshake with {host} failed: ";
        if (verdict.Rejected)
        {
            return prefix + verdict.Describe(tls.TrustedRootCertificates.Count) + ".";
        }

        if (ex is AuthenticationException)
        {
            string hint = tls.ClientCertificates.Count == 0
                ? " If the server requires a client certificate (ssl.clientAuth=need), set Tls.ClientCertificates."
                : " Check that the server trusts the issuer of the client certificate and that both sides share a TLS version (Tls.EnabledProtocols).";
            return prefix + Messages(ex) + "." + hint;
        }

        return prefix + $"the connection ended during the handshake ({Messages(ex)}). Is port {host.Port} the server's secureClientPort, and does the server accept this client (a client certificate, if it requires one)?";
    }

    /// <summary>SslStream's outer message is often "see inner exception": the inner ones carry the TLS alert or OpenSSL error.</summary>
    private static string Messages(Exception ex)
    {
        var messages = new List<string>();
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            string message = current.Message.Trim().TrimEnd('.');
            if (message.Length > 0 && !message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase) && !messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        return messages.Count == 0 ? ex.GetType().Name : string.Join(": ", messages);
    }

    /// <summary>Why the server certificate was rejected, captured inside the validation callback while the chain is alive.</summary>
    private sealed class Verdict
    {
        private string _certificate = "no certificate";
        private string _chain = string.Empty;
        private string _names = string.Empty;
        private string _targetHost = string.Empty;
        private string? _callback;
        private X509ChainStatusFlags _flags;

        public bool Rejected { get; private set; }

        public SslPolicyErrors Errors { get; private set; }

        public void Capture(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string targetHost, string? callback)
        {
            Rejected = true;
            Errors = errors;
            _targetHost = targetHost;
            _callback = callback;
            if (certificate is not null)
            {
                _certificate = $"'{certificate.Subject}' issued by '{certificate.Issuer}'";
                if (certificate is X509Certificate2 { } full && full.Extensions[Oids.SubjectAltName] is { } extension)
                {
                    var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                    _names = string.Join(", ", san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())));
                }
            }

            if (chain is not null)
            {
                _flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
                _chain = string.Join("; ", chain.ChainStatus
                    .Where(status => status.Status != X509ChainStatusFlags.NoError)
                    .Select(status => $"{status.Status} ({status.StatusInformation.Trim()})"));
            }
        }

        public string Describe(int customRoots)
        {
            var reasons = new List<string>();
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                reasons.Add("the server sent no certificate");
            }

            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                reasons.Add($"its certificate does not name '{_targetHost}' (it names: {(_names.Length == 0 ? "nothing" : _names)}); connect by a name it carries or set Tls.TargetHost");
            }

            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            {
                const X509ChainStatusFlags Untrusted = X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot;
                const X509ChainStatusFlags RevocationUnknown = X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;
                string what = (_flags & Untrusted) != 0 || _flags == X509ChainStatusFlags.NoError
                    ? customRoots > 0
                        ? $"it does not chain to any of the {customRoots} certificate(s) in Tls.TrustedRootCertificates"
                        : "it does not chain to a root this system trusts (set Tls.TrustedRootCertificates to the CA that issued it)"
                    : (_flags & X509ChainStatusFlags.Revoked) != 0
                        ? "it has been revoked"
                        : (_flags & RevocationUnknown) != 0 && (_flags & ~RevocationUnknown) == 0
                            ? "its revocation status could not be checked (Tls.CertificateRevocationCheckMode needs a CRL or OCSP responder the client can reach)"
                            : "its certificate chain is not valid";
                reasons.Add(_chain.Length == 0 ? what : $"{what}: {_chain}");
            }

            string found = reasons.Count == 0 ? "no errors" : string.Join("; ", reasons);
            return _callback is null
                ? $"the server certificate {_certificate} was rejected: {found}"
                : $"the server certificate {_certificate} was rejected: {_callback} (the built-in checks found {found})";
        }
    }

    private static class Oids
    {
        public const string SubjectAltName = "2.5.29.17";
    }
}
