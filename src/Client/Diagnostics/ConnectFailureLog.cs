using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// Failed connection attempts at Warning without flooding the log: the first failure after a useful connection (or
/// at start) is a Warning, then at most one Warning per <see cref="Interval"/> that counts the failures in between;
/// every attempt is also logged at Debug.
/// </summary>
internal sealed class ConnectFailureLog(ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private long _lastWarning;
    private int _suppressed;

    public void Failed(string host, string reason)
    {
        Log.ConnectAttemptFailed(logger, host, reason);
        if (_lastWarning != 0 && Stopwatch.GetElapsedTime(_lastWarning) < Interval)
        {
            _suppressed++;
            return;
        }

        Log.ConnectAttemptsFailing(logger, host, reason, _suppressed);
        _suppressed = 0;
        _lastWarning = Stopwatch.GetTimestamp();
    }

    /// <summary>A connection proved useful: the next failure warns at once.</summary>
    public void Reset()
    {
        _lastWarning = 0;
        _suppressed = 0;
    }
}
