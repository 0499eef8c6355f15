using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>What a leader does when its connection to ZooKeeper is lost but its session may still be alive.</summary>
public enum LeadershipDisconnectPolicy
{
    /// <summary>
    /// The default, and the safe choice: leadership ends as soon as the connection is lost (Curator's SUSPENDED as an
    /// error state). If the same session is re-attached and its node is still the lowest, the same term is resumed
    /// (<see cref="LeadershipAcquired.Resumed"/>).
    /// </summary>
    EndLeadership,

    /// <summary>
    /// Keep leadership while disconnected, until the session is lost (the client's local timer presumes it expired at
    /// <see cref="ZkTypedStateOptions.PresumedExpiryFraction"/> of the negotiated timeout after the last reply, or a
    /// server confirms the expiry). Survives short network blips without a leadership change.
    /// </summary>
    /// <remarks>
    /// <b>Risk:</b> while disconnected, this participant cannot know whether the server already expired its session and
    /// another participant leads. The local timer is conservative (it starts from the last reply heard, before the
    /// server's own countdown starts), but a paused process (GC, VM freeze, swapping) does not run its timer at all, and
    /// clocks drift. Curator's "timed tolerance" of SUSPENDED led to two simultaneous leaders (CURATOR-460). With this
    /// policy, fence every external write with the term's token (<see cref="IFencedResource{TContext}"/>) and guard
    /// ZooKeeper writes with <see cref="LeaderElection.WriteAsLeaderAsync(IEnumerable{ZkTypedState.Client.Op}, CancellationToken)"/>;
    /// both are needed with the default policy too, for the same pause.
    /// </remarks>
    KeepUntilSessionLost,
}

/// <summary>Settings of a <see cref="LeaderElection"/>.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>
    /// This participant's id, stored as the election node's data (UTF-8), as Curator's LeaderLatch does with its id.
    /// Default: empty (Curator's default).
    /// </summary>
    public string ParticipantId { get; set; } = string.Empty;

    /// <summary>What happens to leadership when the connection is lost. Default: <see cref="LeadershipDisconnectPolicy.EndLeadership"/>.</summary>
    public LeadershipDisconnectPolicy DisconnectPolicy { get; set; } = LeadershipDisconnectPolicy.EndLeadership;

    /// <summary>
    /// Create missing ancestors of the election path as container nodes, which the server removes once they are empty
    /// again (Curator's <c>creatingParentContainersIfNeeded</c>). When false they are created as persistent nodes.
    /// Default: true.
    /// </summary>
    public bool CreateParentsAsContainers { get; set; } = true;

    /// <summary>
    /// The ACL of the election node and of the parents it creates. <see langword="null"/> (the default): the session's
    /// <see cref="ZooKeeperSession.DefaultAcl"/> (<see cref="ZkTypedStateOptions.DefaultAcl"/>: <see cref="Acl.CreatorAll"/>
    /// when credentials are configured, <see cref="Acl.OpenUnsafe"/> otherwise). Checked when the election is created: an
    /// empty list, or an <c>auth</c> entry (<see cref="Acl.CreatorAll"/>) in a session without credentials, is an error.
    /// Every participant needs Read on the nodes of the others (to see their data and watch them): an ACL that locks
    /// the others out of reading also breaks the recipe for them.
    /// </summary>
    public IReadOnlyList<Acl>? DefaultAcl { get; set; }

    /// <summary>
    /// How long <see cref="LeaderElection.DisposeAsync"/> tries to delete the election node (so the next participant
    /// takes over at once instead of after the session timeout). Default: 5 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries after an unexpected ZooKeeper error (exponential from 50 ms). Default: 2 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The election path, for elections registered with <c>services.AddLeaderElection(name, …)</c> (required there).
    /// Ignored by the <see cref="LeaderElection"/> constructor, which takes the path as an argument.
    /// </summary>
    public string? ElectionPath { get; set; }

    internal LeaderElectionOptions Clone() => (LeaderElectionOptions)MemberwiseClone();

    /// <summary>Checks every setting, with a message naming the bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal void Validate()
    {
        if (ParticipantId is null)
        {
            throw new ArgumentException("LeaderElectionOptions.ParticipantId cannot be null (use an empty string for none).", nameof(ParticipantId));
        }

        if (!Enum.IsDefined(DisconnectPolicy))
        {
            throw new ArgumentException($"LeaderElectionOptions.DisconnectPolicy {(int)DisconnectPolicy} is not a defined policy.", nameof(DisconnectPolicy));
        }

        if (CloseTimeout <= TimeSpan.Zero || CloseTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"LeaderElectionOptions.CloseTimeout must be between 0 and 10 minutes (was {CloseTimeout}).", nameof(CloseTimeout));
        }

        if (MaxRetryDelay < TimeSpan.FromMilliseconds(50) || MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"LeaderElectionOptions.MaxRetryDelay must be between 50 ms and 10 minutes (was {MaxRetryDelay}).", nameof(MaxRetryDelay));
        }
    }
}
