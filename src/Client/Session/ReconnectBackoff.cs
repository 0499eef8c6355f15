using System.Diagnostics;

namespace ZkTypedState.Client.Session;

/// <summary>
/// When the next connection attempt may start. The spacing grows with the outage, not with the attempt count: an
/// attempt follows the previous one after a random wait in [cap/2, cap], where cap is a tenth of how long the outage
/// has lasted (since its first attempt), at least <see cref="MinDelay"/> and at most <see cref="ZooKeeperClientOptions.MaxReconnectDelay"/>. So a
/// blip of a second or two (a restarted proxy, an ensemble electing a leader) is over within ~0.1 s of the server being
/// back, while a long outage settles at MaxReconnectDelay; the random half spreads a fleet's attempts.
/// </summary>
/// <remarks>
/// A refused attempt (connection refused, or closed before the handshake was answered) costs the server one accept. An
/// attempt that made the server work — a TLS handshake (which fails the same way every time when a certificate is
/// distrusted), or a session handshake answered and then dropped (a revalidation and a SetWatches each time) — is costly:
/// such a host is then tried at most every <see cref="MinHostInterval"/> (two attempts a second, however short the
/// outage). The outage ends only once a connection proved useful (see <see cref="IsUseful"/>), not on every
/// handshake.
/// </remarks>
internal sealed class ReconnectBackoff
{
    /// <summary>The smallest cap: the first attempts of an outage wait 25–50 ms.</summary>
    public static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>The cap is the outage's length divided by this.</summary>
    public const int OutageDivisor = 10;

    /// <summary>The least time between two attempts to a host whose last failure was costly (TLS, or a session handshake then dropped).</summary>
    public static readonly TimeSpan MinHostInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a connection must have lived (and have heard a frame after its handshake) to end the outage.</summary>
    public static readonly TimeSpan UsefulAfter = TimeSpan.FromSeconds(1);

    private readonly long[] _lastAttempt;
    private readonly bool[] _costly;
    private readonly TimeSpan _maxDelay;
    private int _failures;
    private bool _attempted;
    private long _outageStart;

    public ReconnectBackoff(int hostCount, TimeSpan maxDelay)
    {
        _lastAttempt = new long[hostCount];
        _costly = new bool[hostCount];
        _maxDelay = maxDelay;
    }

    /// <summary>Consecutive attempts that did not lead to a useful connection.</summary>
    public int Failures => _failures;

    /// <summary>A connection is useful once it lived <see cref="UsefulAfter"/> and the server answered something after the handshake.</summary>
    public static bool IsUseful(TimeSpan lived, long framesAfterHandshake) => lived >= UsefulAfter && framesAfterHandshake > 0;

    /// <summary>The cap of the wait once an outage has lasted <paramref name="outage"/>.</summary>
    public static TimeSpan Cap(TimeSpan outage, TimeSpan maxDelay)
    {
        TimeSpan cap = outage / OutageDivisor;
        if (cap < MinDelay)
        {
            cap = MinDelay;
        }

        return cap > maxDelay ? maxDelay : cap;
    }

    /// <summary>The wait before the next attempt, to <paramref name="hostIndex"/>; zero for the very first one.</summary>
    public TimeSpan NextDelay(int hostIndex) => NextDelay(hostIndex, Stopwatch.GetTimestamp(), Random.Shared.NextDouble());

    /// <summary>The wait before the next attempt at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp), with <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan NextDelay(int hostIndex, long now, double random)
    {
        if (!_attempted)
        {
            return TimeSpan.Zero;
        }

        // A lost connection starts the outage now; the first attempt then waits 25–50 ms (spread, but no real delay).
        TimeSpan outage = _outageStart == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_outageStart, now);
        TimeSpan cap = Cap(outage, _maxDelay);
        TimeSpan wait = cap / 2 + cap / 2 * random;
        long last = _lastAttempt[hostIndex];
        if (_costly[hostIndex] && last != 0)
        {
            TimeSpan hostWait = MinHostInterval - Stopwatch.GetElapsedTime(last, now);
            if (hostWait > wait)
            {
                wait = hostWait;
            }
        }

        return wait;
    }

    /// <summary>An attempt to <paramref name="hostIndex"/> starts now.</summary>
    public void OnAttempt(int hostIndex) => OnAttempt(hostIndex, Stopwatch.GetTimestamp());

    /// <summary>An attempt to <paramref name="hostIndex"/> starts at <paramref name="now"/>.</summary>
    public void OnAttempt(int hostIndex, long now)
    {
        _attempted = true;
        _lastAttempt[hostIndex] = now;
        if (_outageStart == 0)
        {
            _outageStart = now;
        }
    }

    /// <summary>The attempt failed before a handshake was answered (refused, unreachable, timed out, closed unanswered).</summary>
    public void OnFailure(int hostIndex)
    {
        _failures++;
        _costly[hostIndex] = false;
    }

    /// <summary>The attempt failed after the host did real work (a TLS handshake; a session handshake, then the connection ended before it was useful): that host is paced.</summary>
    public void OnCostlyFailure(int hostIndex)
    {
        _failures++;
        _costly[hostIndex] = true;
    }

    /// <summary>A connection proved useful: the outage is over; the next loss starts a new one from the smallest delay.</summary>
    public void OnUseful()
    {
        _failures = 0;
        _outageStart = 0;
        Array.Clear(_costly);
    }
}
