namespace ZkTypedState.Client.Session;

/// <summary>
/// The one check behind every positive-TimeSpan option (client, runtime, test server): each owner keeps its own
/// message convention through the flags, so the messages stay exactly what they were.
/// </summary>
/// <remarks>
/// Compiled into the client (the test server sees it through InternalsVisibleTo) and, as a linked source file, into the
/// runtime: the runtime package may meet a newer client package, so it must not call into the client's internals.
/// </remarks>
internal static class TimeSpanOptionChecks
{
    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is positive — and, with
    /// <paramref name="atMostInt32Milliseconds"/>, at most <see cref="int.MaxValue"/> ms, what timers accept — or is
    /// <see cref="Timeout.InfiniteTimeSpan"/> where <paramref name="allowInfinite"/>.
    /// </summary>
    /// <param name="value">The option's value.</param>
    /// <param name="paramName">The option's name (the exception's ParamName).</param>
    /// <param name="displayName">How the message names it, e.g. <c>ZooKeeperClientOptions.SessionTimeout</c>.</param>
    /// <param name="allowInfinite">Whether <see cref="Timeout.InfiniteTimeSpan"/> is accepted.</param>
    /// <param name="atMostInt32Milliseconds">Whether the value must fit in int milliseconds.</param>
    /// <param name="showValue">Whether the message ends with the rejected value.</param>
    public static void RequirePositive(TimeSpan value, string paramName, string displayName, bool allowInfinite = false, bool atMostInt32Milliseconds = true, bool showValue = false)
    {
        if (allowInfinite && value == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        if (value > TimeSpan.Zero && (!atMostInt32Milliseconds || value.TotalMilliseconds <= int.MaxValue))
        {
            return;
        }

        string bound = atMostInt32Milliseconds ? $" and at most {int.MaxValue} ms" : string.Empty;
        string infinite = allowInfinite ? " (or Timeout.InfiniteTimeSpan)" : string.Empty;
        string was = showValue ? $" (was {value})" : string.Empty;
        throw new ArgumentOutOfRangeException(paramName, value, $"{displayName} must be positive{bound}{infinite}{was}.");
    }
}
