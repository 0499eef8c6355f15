namespace ZkTypedState.Recipes;

/// <summary>One leadership term as application code sees it (implemented by <see cref="LeaderTerm"/>; easy to fake in tests).</summary>
public interface ILeadershipTerm
{
    /// <summary>The fencing token: strictly greater for every later term. Pass it with every write to a fenced resource.</summary>
    long FencingToken { get; }

    /// <summary>Cancelled the moment the term ends, before the election's <c>Lost</c> handlers run.</summary>
    CancellationToken Token { get; }

    /// <summary>The leader's election node.</summary>
    string NodePath { get; }

    /// <summary>The ZooKeeper session that owns the node.</summary>
    long SessionId { get; }

    /// <summary>The participant id stored in the node.</summary>
    string ParticipantId { get; }

    /// <summary>When this participant became leader in this term (local clock).</summary>
    DateTimeOffset AcquiredAt { get; }
}

/// <summary>Where a participant stands in its election, as reported by the health check.</summary>
public enum LeadershipRole
{
    /// <summary>Not started, stepped down, disposed, or between two sessions without an election node.</summary>
    NotParticipating,

    /// <summary>In the election with a node, not the leader.</summary>
    Following,

    /// <summary>The leader (<see cref="ILeaderElection.IsLeader"/>).</summary>
    Leading,
}

/// <summary>
/// A leader election participant as application code uses it: inject it (<c>[FromKeyedServices("billing")] ILeaderElection</c>
/// after <c>services.AddLeaderElection("billing", …)</c>) and fake it in unit tests. Implemented by <see cref="LeaderElection"/>.
/// </summary>
public interface ILeaderElection
{
    /// <summary>The registration name (the election path when built by hand).</summary>
    string Name { get; }

    /// <summary>The election path.</summary>
    string ElectionPath { get; }

    /// <summary>This participant's id.</summary>
    string ParticipantId { get; }

    /// <summary>True while this participant believes it leads (a belief: fence every write with the term's token).</summary>
    bool IsLeader { get; }

    /// <summary>Leading, following or not participating.</summary>
    LeadershipRole Role { get; }

    /// <summary>The current term while leading, otherwise null. Observable only after the term's <see cref="Acquired"/> handlers ran.</summary>
    ILeadershipTerm? CurrentTerm { get; }

    /// <summary>Raised when this participant becomes the leader.</summary>
    event Action<LeadershipAcquired>? Acquired;

    /// <summary>Raised when this participant stops being the leader (after the term's token was cancelled).</summary>
    event Action<LeadershipLost>? Lost;

    /// <summary>Joins the election.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes with the term as soon as this participant leads.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task<ILeadershipTerm> WaitForLeadershipAsync(CancellationToken cancellationToken = default);

    /// <summary>Leaves the election (the node is deleted, so the next participant leads at once).</summary>
    /// <param name="cancellationToken">Cancels the wait for the deletion.</param>
    Task StepDownAsync(CancellationToken cancellationToken = default);
}
