namespace ZkTypedState.Recipes;

/// <summary>
/// One leadership term: the election node that became the lowest, and the fencing token that goes with it.
/// </summary>
/// <remarks>
/// <para><b>The fencing token is the czxid of the leader's election node</b> (the zxid of the transaction that created it).
/// It is strictly greater for every later term, across participants, sessions, session expiries and re-entries:</para>
/// <list type="number">
/// <item>Zxids are totally ordered: every write transaction of the ensemble gets the next zxid
/// (epoch in the high 32 bits, counter in the low 32; a new ZooKeeper leader starts a higher epoch), so a node
/// created later has a greater czxid than every node created before it.</item>
/// <item>Under one election path, sequence suffixes are handed out in the same transaction order, so sorting the
/// <c>-latch-</c> nodes by suffix sorts them by czxid.</item>
/// <item>A node leads only when every node with a lower suffix is gone, and nodes are never re-created under the same
/// name. So the next leader's node is one created after the current leader's node (it had a higher suffix, or was
/// created even later): its czxid is greater. A participant that reads the children from a lagging server still sees
/// every node created before its own (ZooKeeper reads never go behind the session's own writes), so it cannot lead
/// too early on a stale listing.</item>
/// <item>If the election path is removed (a container reaped when empty) and re-created, the sequence counter starts
/// over, but the czxids do not: the new nodes are created after the old ones were deleted.</item>
/// </list>
/// <para>The one thing that breaks it is an ensemble whose data is wiped (zxids restart from zero). Resources that
/// remember tokens then have to be reset together with ZooKeeper.</para>
/// <para>A term that is <em>resumed</em> (leadership dropped at a disconnection, then regained on the same node in the same
/// session, see <see cref="LeadershipAcquired.Resumed"/>) keeps its token: no other term can have started meanwhile,
/// because the node stayed the lowest.</para>
/// </remarks>
/// <param name="FencingToken">The czxid of the election node: strictly increasing across terms. Pass it with every write to a fenced resource.</param>
/// <param name="SessionId">The ZooKeeper session that owns the election node (its ephemeralOwner, verified when leadership was asserted).</param>
/// <param name="SessionEpoch">The <see cref="ZooKeeperSession.Epoch"/> of that session.</param>
/// <param name="NodePath">The leader's election node, e.g. <c>/election/_c_3f2a…-latch-0000000007</c>.</param>
/// <param name="SequenceNumber">The node's sequence suffix (resets if the election path is re-created: use <paramref name="FencingToken"/> for ordering).</param>
/// <param name="ParticipantId">The participant id stored in the node.</param>
/// <param name="AcquiredAt">When this participant first became leader in this term (local clock).</param>
public sealed record LeaderTerm(
    long FencingToken,
    long SessionId,
    long SessionEpoch,
    string NodePath,
    long SequenceNumber,
    string ParticipantId,
    DateTimeOffset AcquiredAt) : ILeadershipTerm
{
    // Cancelled when the term ends. Never disposed: a token handed out may be observed after the term ended.
    private readonly CancellationTokenSource _ended = new();

    /// <summary>
    /// Cancelled the moment this term ends (leadership lost for any reason, including a disconnection under the default
    /// policy), before the election's <see cref="LeaderElection.Lost"/> handlers run. Pass it to work that must stop
    /// when leadership ends. A resumed term (<see cref="LeadershipAcquired.Resumed"/>) is a new instance with a new token.
    /// </summary>
    /// <remarks>Callbacks registered on it run on the election's executor when the term ends: keep them short.</remarks>
    public CancellationToken Token => _ended.Token;

    /// <summary>True once the term has ended (<see cref="Token"/> is cancelled).</summary>
    public bool HasEnded => _ended.IsCancellationRequested;

    /// <summary>Copies the term with a fresh, uncancelled <see cref="Token"/> (used for a resumed term).</summary>
    /// <param name="original">The term to copy.</param>
    private LeaderTerm(LeaderTerm original)
    {
        _ended = new CancellationTokenSource();
        FencingToken = original.FencingToken;
        SessionId = original.SessionId;
        SessionEpoch = original.SessionEpoch;
        NodePath = original.NodePath;
        SequenceNumber = original.SequenceNumber;
        ParticipantId = original.ParticipantId;
        AcquiredAt = original.AcquiredAt;
    }

    /// <summary>Equal when the same term: same token, node and session (the <see cref="Token"/> is not compared, so a resumed term equals the one it resumes).</summary>
    /// <param name="other">The other term.</param>
    public bool Equals(LeaderTerm? other) =>
        other is not null && FencingToken == other.FencingToken && SessionId == other.SessionId && SessionEpoch == other.SessionEpoch
        && NodePath == other.NodePath && SequenceNumber == other.SequenceNumber && ParticipantId == other.ParticipantId && AcquiredAt == other.AcquiredAt;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(FencingToken, SessionId, NodePath);

    /// <inheritdoc />
    public override string ToString() =>
        $"term token 0x{FencingToken:x} (node {NodePath}, session 0x{SessionId:x}, epoch {SessionEpoch})";

    /// <summary>Ends the term: cancels <see cref="Token"/> (its callbacks run here, on the caller's thread).</summary>
    internal void End()
    {
        try
        {
            _ended.Cancel();
        }
        catch (AggregateException ex)
        {
            // A callback threw; the term is over regardless. Surface it to the election's log.
            throw new InvalidOperationException("A callback registered on the term's token threw.", ex);
        }
    }

    /// <summary>A copy of this term for a resumption, with a new token.</summary>
    internal LeaderTerm Resume() => new(this);
}

/// <summary>This participant became the leader.</summary>
/// <param name="Term">The term, with its fencing token.</param>
/// <param name="Resumed">
/// True when the same term was regained after a disconnection dropped it (same node, same session, same token);
/// false for a new term.
/// </param>
public sealed record LeadershipAcquired(LeaderTerm Term, bool Resumed);

/// <summary>Why this participant stopped being the leader.</summary>
public enum LeadershipLossReason
{
    /// <summary>
    /// The connection was lost (<see cref="LeadershipDisconnectPolicy.EndLeadership"/>). The session and the node may
    /// still be alive: if the same session is re-attached and the node is still the lowest, the term is resumed.
    /// </summary>
    Disconnected,

    /// <summary>The session was lost (presumed expired by the local timer, expired, or auth failed): its node is or will be gone.</summary>
    SessionLost,

    /// <summary>The election node disappeared, or turned out not to belong to this session (deleted by someone else, or a stale node).</summary>
    NodeLost,

    /// <summary><see cref="LeaderElection.StepDownAsync"/> was called.</summary>
    SteppedDown,

    /// <summary>The election (or its session owner) was disposed.</summary>
    Closed,
}

/// <summary>This participant stopped being the leader.</summary>
/// <param name="Term">The term that ended (or was suspended, for <see cref="LeadershipLossReason.Disconnected"/>).</param>
/// <param name="Reason">Why.</param>
public sealed record LeadershipLost(LeaderTerm Term, LeadershipLossReason Reason);

/// <summary>One participant of an election, as listed by <see cref="LeaderElection.GetParticipantsAsync"/>.</summary>
/// <param name="NodePath">Its election node.</param>
/// <param name="ParticipantId">The id stored in the node (Curator's LeaderLatch id), or empty.</param>
/// <param name="IsLeader">True for the lowest node.</param>
/// <param name="Czxid">The node's czxid: the fencing token it will have (or has) when it leads.</param>
/// <param name="EphemeralOwner">The session that owns the node.</param>
public sealed record ElectionParticipant(string NodePath, string ParticipantId, bool IsLeader, long Czxid, long EphemeralOwner);
