using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ZkTypedState.Client;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
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

    /// <summary>The most a reconnect attempt waits before trying the next host (full jitter, exponential from 10 ms).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="ZooKeeperClient.DisposeAsync"/> waits for the server to confirm closeSession.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where the client logs. Auth data is never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the client's meter; null uses a shared meter named <c>ZkTypedState.Client</c>.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>TLS for every connection (the servers' <c>secureClientPort</c>s); <see langword="null"/> (the default) is plain TCP. See <see cref="ZooKeeperTlsOptions"/>.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Seeds lastZxidSeen, e.g. with the zxid a previous session reached, so no server older than that serves this client.</summary>
    public long InitialLastZxidSeen { get; set; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ConnectionString is required.", nameof(ConnectionString));
        }

        if (SessionTimeout <= TimeSpan.Zero || SessionTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "SessionTimeout must be positive.");
        }

        if (MaxFrameSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSize), MaxFrameSize, "MaxFrameSize must be at least 1024 bytes.");
        }

        if (PresumedExpiryFraction is <= 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(PresumedExpiryFraction), PresumedExpiryFraction, "PresumedExpiryFraction must be in (0, 10].");
        }

        Tls?.Validate();
    }
}
