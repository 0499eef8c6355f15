namespace ZkTypedState;

/// <summary>
/// Host startup failed under <see cref="InitialSyncFailureBehavior.FailStartup"/>: every node was read, but some hold a
/// rejected payload (<see cref="ZNodeStatus.Faulted"/>) or are required (<see cref="ZNodeAttribute.Required"/>) and
/// missing.
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

    /// <summary>The paths whose payload was rejected.</summary>
    public IReadOnlyList<string> Faulted { get; }

    /// <summary>The paths of required nodes that do not exist.</summary>
    public IReadOnlyList<string> MissingRequired { get; }
}
