using System.Diagnostics;

namespace ZkTypedState.Client;

/// <content>Presumed expiry: the local half of expiry detection.</content>
public sealed partial class ZooKeeperClient
{
    private int _expiryWatchdogWakeups;

    /// <summary>How often the expiry watchdog woke up (tests: an idle connected client must not poll).</summary>
    internal int ExpiryWatchdogWakeups => Volatile.Read(ref _expiryWatchdogWakeups);

    /// <summary>
    /// A client whose packets are dropped never hears "expired" from a server, so once no server has been heard from
    /// for the session timeout (times the configured fraction) the session is presumed lost. Measured from the last
    /// frame received, not from when the loss was noticed. Sleeps on the state signal while connected, and on a timer
    /// armed for the deadline while disconnected: no polling.
    /// </summary>
    private async Task WatchSessionExpiryAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Interlocked.Increment(ref _expiryWatchdogWakeups);
                Task signal;
                ZooKeeperState state;
                lock (_stateGate)
                {
                    state = _state;
                    signal = _stateSignal.Task;
                }

                if (state.IsTerminal())
                {
                    return;
                }

                int timeoutMs = Volatile.Read(ref _negotiatedTimeoutMs);
                if (state != ZooKeeperState.Disconnected || timeoutMs <= 0)
                {
                    await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                TimeSpan silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastHeard));
                TimeSpan limit = TimeSpan.FromMilliseconds(timeoutMs * _options.PresumedExpiryFraction);
                if (silent >= limit)
                {
                    TryTransition(
                        ZooKeeperState.SessionPresumedExpired,
                        new SessionExpiredException(null, $"ZooKeeper: no server heard from for {silent.TotalMilliseconds:0} ms (session timeout {timeoutMs} ms); the session is presumed expired."),
                        onlyFrom: ZooKeeperState.Disconnected);
                    continue;
                }

                try
                {
                    await signal.WaitAsync(limit - silent, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The deadline: checked at the top of the loop.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
