namespace ZkTypedState.Recipes;

/// <summary>
/// A write was refused because it carried a fencing token lower than one the resource has already seen: a newer
/// leadership term exists, so this writer is a stale leader (paused, partitioned or expired) and must stop.
/// Nothing was changed.
/// </summary>
public class FencedOutException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="resource">The fenced resource that refused the write.</param>
    /// <param name="token">The token the write carried.</param>
    /// <param name="highestToken">The highest token the resource had seen, when known.</param>
    /// <param name="message">The message; a default one is built when null.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public FencedOutException(string resource, long token, long? highestToken, string? message = null, Exception? innerException = null)
        : base(message ?? DefaultMessage(resource, token, highestToken), innerException)
    {
        Resource = resource;
        Token = token;
        HighestToken = highestToken;
    }

    /// <summary>The fenced resource that refused the write.</summary>
    public string Resource { get; }

    /// <summary>The token the refused write carried.</summary>
    public long Token { get; }

    /// <summary>The highest token the resource had seen when it refused the write (null when not known).</summary>
    public long? HighestToken { get; }

    private static string DefaultMessage(string resource, long token, long? highestToken) =>
        highestToken is { } highest
            ? $"Write to '{resource}' with fencing token 0x{token:x} refused: the resource has already seen token 0x{highest:x} from a newer leadership term."
            : $"Write to '{resource}' with fencing token 0x{token:x} refused: a newer leadership term exists.";
}

/// <summary>
/// A ZooKeeper write guarded by leadership (<see cref="LeaderElection.WriteAsLeaderAsync(LeaderTerm, IEnumerable{ZkTypedState.Client.Op}, CancellationToken)"/>)
/// was refused because the term is over: its election node is gone, its session expired or was replaced, or this
/// participant is not the leader. Nothing was changed.
/// </summary>
public sealed class LeadershipLostException : FencedOutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="term">The term the write was guarded by, or null when there was no current term.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The ZooKeeper error, if any.</param>
    public LeadershipLostException(LeaderTerm? term, string message, Exception? innerException = null)
        : base(term?.NodePath ?? "(no leadership term)", term?.FencingToken ?? 0, null, message, innerException)
    {
        Term = term;
    }

    /// <summary>The term the write was guarded by (null when this participant was not the leader).</summary>
    public LeaderTerm? Term { get; }
}
