using System.Diagnostics;

namespace ZkTypedState.Client.Session;

/// <summary>
/// When the next connection attempt may start. Full jitter over an exponential cap (100 ms doubling up to
/// <see cref="ZooKeeperClientOptions.MaxReconnectDelay"/>), and never sooner than <see cref="MinHostInterval"/> after
/// the previous attempt to the same host — so a server that accepts the handshake and drops the connection at once
/// draws at most two handshakes a second, not hundreds. The failure count resets only once a connection proved
/// useful (see <see cref="IsUseful"/>), not on every handshake.
/// </summary>
internal sealed class ReconnectBackoff
{
    /// <summary>The first cap of the exponential backoff.</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The least time between two attempts to one host: at most two attempts per host per second.</summary>
    public static readonly TimeSpan MinHostInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a connection must have lived (and have heard a frame after its handshake) to reset the backoff.</summary>
    public static readonly TimeSpan UsefulAfter = TimeSpan.FromSeconds(1);

    private readonly long[] _lastAttempt;
    private readonly TimeSpan _maxDelay;
    private int _failures;
    private bool _attempted;

    public ReconnectBackoff(int hostCount, TimeSpan maxDelay)
    {
        _lastAttempt = new long[hostCount];
        _maxDelay = maxDelay;
    }

    /// <summary>Consecutive attempts that did not lead to a useful connection.</summary>
    public int Failures => _failures;

    /// <summary>A connection is useful once it lived <see cref="UsefulAfter"/> and the server answered something after the handshake.</summary>
    public static bool IsUseful(TimeSpan lived, long framesAfterHandshake) => lived >= UsefulAfter && framesAfterHandshake > 0;

    /// <summary>The wait before the next attempt, to <paramref name="hostIndex"/>; zero for the very first one.</summary>
    public TimeSpan NextDelay(int hostIndex)
    {
        if (!_attempted)
        {
            return TimeSpan.Zero;
        }

        double capMs = Math.Min(_maxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 16)));
        double jitterMs = Random.Shared.NextDouble() * capMs;
        long last = _lastAttempt[hostIndex];
        double hostWaitMs = last == 0 ? 0 : (MinHostInterval - Stopwatch.GetElapsedTime(last)).TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Math.Max(jitterMs, hostWaitMs));
    }

    /// <summary>An attempt to <paramref name="hostIndex"/> starts now.</summary>
    public void OnAttempt(int hostIndex)
    {
        _attempted = true;
        _lastAttempt[hostIndex] = Stopwatch.GetTimestamp();
    }

    /// <summary>The attempt failed, or its connection ended before it was useful.</summary>
    public void OnFailure() => _failures++;

    /// <summary>A connection proved useful: the next reconnect starts from the smallest delay.</summary>
    public void OnUseful() => _failures = 0;
}
