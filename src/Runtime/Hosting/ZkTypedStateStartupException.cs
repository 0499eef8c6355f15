namespace ZkTypedState;

/// <summary>
/// Host startup failed under <see cref="InitialSyncFailureBehavior.FailStartup"/>: every node was read, but some are
/// <see cref="ZNodeStatus.Faulted"/> (a rejected payload, or a read that failed, e.g. <see cref="Client.NoAuthException"/>)
/// or are required (<see cref="ZNodeAttribute.Required"/>) and missing. The message names each faulted node's cause.
/// </summary>
public sealed class ZkTypedStateStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZkTypedStateStartupException(string message, IReadOnlyList<string> faulted, IReadOnlyList<string> missingRequired)
        : base(message)
    {
        Faulted = faulted;
        MissingRequired = missingRequired;
    }

    /// <summary>The paths of the faulted nodes (payload rejected or read failed).</summary>
    public IReadOnlyList<string> Faulted { get; }

    /// <summary>
    /// Why each faulted node is: a <see cref="ZNodePayloadException"/> for a rejected payload, otherwise the read's
    /// error (such as <see cref="Client.NoAuthException"/>). Keyed by path.
    /// </summary>
    public IReadOnlyDictionary<string, Exception> FaultErrors { get; init; } = new Dictionary<string, Exception>();

    /// <summary>The paths of required nodes that do not exist.</summary>
    public IReadOnlyList<string> MissingRequired { get; }
}
