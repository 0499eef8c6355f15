using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>A server certificate the client must not accept fails the attempt at once with a typed, explicit error.</summary>
public sealed class TlsHandshakeFailureTests(TlsServerFixture fixture, ITestOutputHelper output) : IClassFixture<TlsServerFixture>
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_server_certificate_from_an_untrusted_CA_fails_with_a_chain_error()
    {
        using var other = TestCertificateAuthority.Create("Some other CA");
        var tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { other.Certificate } };

        var (failure, elapsed) = await FailingAttemptAsync(tls);

        Assert.True(failure.CertificateErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors), failure.CertificateErrors.ToString());
        Assert.Contains("TLS handshake with 127.0.0.1:", failure.Message);
        Assert.Contains("does not chain to any of the 1 certificate(s) in Tls.TrustedRootCertificates", failure.Message);
        Assert.Contains("ZkTypedState Test CA", failure.Message);
        Assert.IsAssignableFrom<System.Security.Authentication.AuthenticationException>(failure.InnerException);
        Assert.True(elapsed < AttemptTimeout, $"failed after {elapsed.TotalMilliseconds:0} ms, not at once");
    }

    [Fact]
    public async Task Without_custom_trust_a_private_CA_is_rejected_with_a_hint_to_trust_it()
    {
        var (failure, _) = await FailingAttemptAsync(new ZooKeeperTlsOptions());

        Assert.True(failure.CertificateErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors), failure.CertificateErrors.ToString());
        Assert.Contains("set Tls.TrustedRootCertificates", failure.Message);
    }

    [Fact]
    public async Task A_certificate_that_does_not_name_the_target_host_fails_with_a_name_mismatch()
    {
        var tls = fixture.TrustingTls();
        tls.TargetHost = "zookeeper.example.invalid";

        var (failure, elapsed) = await FailingAttemptAsync(tls);

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, failure.CertificateErrors);
        Assert.Contains("does not name 'zookeeper.example.invalid' (it names: localhost, 127.0.0.1)", failure.Message);
        Assert.True(elapsed < AttemptTimeout);
    }

    [Fact]
    public async Task Online_revocation_checking_is_applied_to_the_custom_chain()
    {
        // The test CA publishes no CRL or OCSP responder: with checking on, the revocation status is unknown and the
        // certificate is refused; with the default (NoCheck) the same server is accepted (see the session tests).
        var tls = fixture.TrustingTls();
        tls.CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.Online;

        var (failure, _) = await FailingAttemptAsync(tls);

        Assert.True(failure.CertificateErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors), failure.CertificateErrors.ToString());
        Assert.Contains("its revocation status could not be checked", failure.Message);
        Assert.Contains("RevocationStatusUnknown", failure.Message);
    }

    [Fact]
    public async Task A_validation_callback_can_pin_the_certificate_and_its_exception_becomes_the_reason()
    {
        string pinned = fixture.Certificates.ServerCertificate.Thumbprint;
        var pinning = new ZooKeeperTlsOptions
        {
            ServerCertificateValidation = (_, certificate, _, _) => certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 presented && presented.Thumbprint == pinned,
        };
        await using (var connection = await TlsTestSupport.OpenAsync(fixture.Server.SecurePort!.Value, pinning, AttemptTimeout))
        {
            Assert.NotEqual(0, connection.Handshake.SessionId);
        }

        var throwing = new ZooKeeperTlsOptions { ServerCertificateValidation = (_, _, _, _) => throw new InvalidOperationException("pin store unavailable") };
        var (failure, _) = await FailingAttemptAsync(throwing);
        Assert.Contains("Tls.ServerCertificateValidation threw InvalidOperationException: pin store unavailable", failure.Message);
    }

    [Fact]
    public async Task A_TLS_client_on_the_plain_port_fails_within_the_attempt_timeout()
    {
        var clock = Stopwatch.StartNew();
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => TlsTestSupport.OpenAsync(fixture.Server.Port, fixture.TrustingTls(), TimeSpan.FromSeconds(2)));
        output.WriteLine($"{failure.GetType().Name} after {clock.ElapsedMilliseconds} ms: {failure.Message}");
        Assert.IsType<ZooKeeperTlsException>(failure);
        Assert.Contains("secureClientPort", failure.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_TLS_handshake_costs_one_attempt_timeout_not_a_hang()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<Socket> accepted = listener.AcceptSocketAsync();
        var timeout = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => TlsTestSupport.OpenAsync(port, fixture.TrustingTls(), timeout));

        TimeSpan elapsed = clock.Elapsed;
        (await accepted).Dispose();
        output.WriteLine($"{elapsed.TotalMilliseconds:0} ms: {failure.Message}");
        Assert.InRange(elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_client_that_distrusts_the_server_keeps_retrying_with_backoff_and_logs_why()
    {
        using var other = TestCertificateAuthority.Create("Some other CA");
        await using var proxy = await FaultProxy.StartAsync(ZooKeeperTestServer.LoopbackHost, fixture.Server.SecurePort!.Value);
        var logs = new CapturingLoggerFactory();
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = proxy.ConnectionString,
            Tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { other.Certificate } },
            LoggerFactory = logs,
        });

        // An observation window, not a synchronisation: count attempts made while the certificate is refused.
        var window = TimeSpan.FromSeconds(3);
        using var waiting = new CancellationTokenSource(window);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForConnectedAsync(waiting.Token));

        int attempts = proxy.TotalConnections;
        output.WriteLine($"TLS attempts in {window.TotalSeconds:0} s: {attempts}");
        Assert.Equal(ZooKeeperState.Connecting, client.State);
        // At most one attempt per host per 500 ms (the reconnect backoff): 7 in 3 s, plus one of slack.
        Assert.InRange(attempts, 2, 8);
        Assert.Contains(logs.Lines, line => line.Message.Contains("TLS handshake with " + proxy.ConnectionString + " failed", StringComparison.Ordinal)
            && line.Message.Contains("Tls.TrustedRootCertificates", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ConnectAsync_to_a_distrusted_server_ends_at_the_connect_timeout_with_the_TLS_failure_as_the_cause()
    {
        using var other = TestCertificateAuthority.Create("Some other CA");
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = fixture.Server.SecureConnectionString!,
            Tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { other.Certificate } },
            // Long enough for at least one attempt to finish its handshake on a saturated 2-core machine (a first TLS
            // handshake JITs the crypto path: 1.5 s once saw none complete at load 25); the cause is the last failed attempt.
            ConnectTimeout = TimeSpan.FromSeconds(4),
        };

        var clock = Stopwatch.StartNew();
        var timeout = await Assert.ThrowsAsync<ConnectTimeoutException>(() => ZooKeeperClient.ConnectAsync(options, Timeouts.Token()));
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: {timeout.Message}");

        var cause = Assert.IsType<ZooKeeperTlsException>(timeout.InnerException);
        Assert.Contains("does not chain to any of the 1 certificate(s) in Tls.TrustedRootCertificates", cause.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(15));
    }

    private async Task<(ZooKeeperTlsException Failure, TimeSpan Elapsed)> FailingAttemptAsync(ZooKeeperTlsOptions tls)
    {
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => TlsTestSupport.OpenAsync(fixture.Server.SecurePort!.Value, tls, AttemptTimeout));
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: {failure.Message}");
        return (failure, clock.Elapsed);
    }
}
