using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>. Checked by <see cref="Validate"/> when a client is created.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>The server jute.maxbuffer default (1,048,575 bytes): the largest request the server accepts.</summary>
    public const int DefaultServerMaxBuffer = 0xfffff;

    /// <summary><c>host:port[,host:port…][/chroot]</c>; IPv6 hosts as <c>[addr]:port</c>; the port defaults to 2181.</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:2181";

    /// <summary>The requested session timeout. The server clamps it (by default to 2–20 × its tickTime); every timer uses the negotiated value.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest frame accepted from the server. Replies can exceed the server's own 1 MiB request limit
    /// (a full-size getData is 1,048,633 bytes), so the default is 4 MiB. A larger frame closes the connection.
    /// </summary>
    public int MaxFrameSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest request the client sends (the server's jute.maxbuffer); a larger one fails locally with an <see cref="ArgumentException"/> instead of killing the connection.</summary>
    public int MaxRequestSize { get; set; } = DefaultServerMaxBuffer;

    /// <summary>
    /// The fraction of the negotiated session timeout, measured from the last reply, after which a client that
    /// cannot reach any server enters <see cref="ZooKeeperState.SessionPresumedExpired"/>. 1.0 (the default) waits
    /// the full timeout; a smaller value reacts earlier at the risk of a false alarm.
    /// </summary>
    public double PresumedExpiryFraction { get; set; } = 1.0;

    /// <summary>
    /// The most a reconnect attempt waits before trying the next host. The wait grows with the outage: a random time
    /// between half and all of a tenth of how long the outage has lasted (at least 25–50 ms, at most this), so a blip of
    /// a second or two is bridged within about 0.1 s of a server being back, and a long outage settles at one attempt per
    /// 0.5–1 × this. A host that answers the handshake and drops the connection is tried at most twice a second, and the
    /// outage only ends once a connection proved useful. Zero retries with no wait (not recommended).
    /// </summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="ZooKeeperClient.DisposeAsync"/> waits for the server to confirm closeSession.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long <see cref="ZooKeeperClient.ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/> waits for the first
    /// session before it fails with <see cref="ConnectTimeoutException"/> (whose inner exception is the last connection
    /// error). Distinct from <see cref="SessionTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> waits until cancelled.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// When set, a call that has waited this long — for a session or for its reply — fails with
    /// <see cref="OperationTimeoutException"/> (a request already sent may still be applied). Off
    /// (<see cref="Timeout.InfiniteTimeSpan"/>) by default, as the Java client's request timeout: a call then waits until
    /// it is answered, its connection is lost, or the session ends.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Where the client logs. Auth data is never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the client's meter; null uses a shared meter named <c>ZkTypedState.Client</c>.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>TLS for every connection (the servers' <c>secureClientPort</c>s); <see langword="null"/> (the default) is plain TCP. See <see cref="ZooKeeperTlsOptions"/>.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Seeds lastZxidSeen, e.g. with the zxid a previous session reached, so no server older than that serves this client.</summary>
    public long InitialLastZxidSeen { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting and the accepted range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ZooKeeperClientOptions.ConnectionString is required (host:port[,host:port…][/chroot]).", nameof(ConnectionString));
        }

        // Throws with the exact reason (bad port, unbracketed IPv6, empty host, invalid chroot).
        _ = Session.ConnectionString.Parse(ConnectionString);

        RequirePositive(SessionTimeout, nameof(SessionTimeout), allowInfinite: false);
        RequireNonNegative(MaxReconnectDelay, nameof(MaxReconnectDelay));
        RequireNonNegative(CloseTimeout, nameof(CloseTimeout));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout), allowInfinite: true);
        RequirePositive(OperationTimeout, nameof(OperationTimeout), allowInfinite: true);

        if (MaxFrameSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSize), MaxFrameSize, "ZooKeeperClientOptions.MaxFrameSize must be at least 1024 bytes.");
        }

        if (MaxRequestSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestSize), MaxRequestSize, "ZooKeeperClientOptions.MaxRequestSize must be at least 1024 bytes (the server's jute.maxbuffer, 1,048,575 by default).");
        }

        if (double.IsNaN(PresumedExpiryFraction) || PresumedExpiryFraction is <= 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(PresumedExpiryFraction), PresumedExpiryFraction, "ZooKeeperClientOptions.PresumedExpiryFraction must be in (0, 10].");
        }

        if (InitialLastZxidSeen < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialLastZxidSeen), InitialLastZxidSeen, "ZooKeeperClientOptions.InitialLastZxidSeen must not be negative.");
        }

        Tls?.Validate();
    }

    private static void RequirePositive(TimeSpan value, string name, bool allowInfinite) =>
        TimeSpanOptionChecks.RequirePositive(value, name, "ZooKeeperClientOptions." + name, allowInfinite);

    private static void RequireNonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, $"ZooKeeperClientOptions.{name} must be zero or positive and at most {int.MaxValue} ms.");
        }
    }
}
