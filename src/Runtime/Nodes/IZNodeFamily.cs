namespace ZkTypedState;

/// <summary>
/// The nodes bound from one path template (<c>/config/tenants/{tenant}/limits</c>), keyed by parameter values.
/// </summary>
/// <remarks>
/// <para><b>Discovered members.</b> When every parameter is a whole path segment (always so for generated descriptors),
/// the family's <see cref="Members"/> are discovered from ZooKeeper, level by level: the children of the parent of the
/// first parameter (<c>/config/tenants</c>) are the values of <c>{tenant}</c>, the children of the next parameter's
/// parent under each of them the values of the next parameter, and so on. Each level is followed with a child watch,
/// re-armed by SetWatches across reconnects and listed again after a session loss. Every member's node is bound and
/// loaded during the initial sync, so <see cref="Get"/> of an existing member returns its real value at once. A member
/// whose node is absent (<c>/config/tenants/acme</c> exists, <c>…/acme/limits</c> does not) is a member with status
/// <see cref="ZNodeStatus.Missing"/>.</para>
/// <para><b>Names that are not members</b> are never bound forever: <see cref="Get"/> of a non-member binds it (so it
/// follows the node if it is created), but at most <see cref="ZkTypedStateOptions.MaxFamilyNonMembers"/> non-members
/// per family stay bound; beyond that the least recently asked-for one is unbound (it stops following ZooKeeper and
/// keeps reading its last snapshot). A member that is deleted becomes such a non-member. Use <see cref="TryGet"/> to
/// look a name up without binding it, e.g. for a name taken from a request.</para>
/// <para>Hold the family and ask it per use rather than keeping a node of a name that may not exist.</para>
/// </remarks>
/// <typeparam name="T">The bound type.</typeparam>
public interface IZNodeFamily<T>
{
    /// <summary>The descriptor with the path template.</summary>
    ZNodeDescriptor<T> Descriptor { get; }

    /// <summary>True when members are discovered from ZooKeeper (every parameter a whole path segment).</summary>
    bool IsDiscovered { get; }

    /// <summary>The options names (parameter values joined by '/') of the members that exist now.</summary>
    IReadOnlyCollection<string> Members { get; }

    /// <summary>How many nodes of this family are bound now: the members and the bounded set of non-members.</summary>
    int BoundCount { get; }

    /// <summary>
    /// Raised on the runtime's ordered stream when a member appears (before that member's own first
    /// <see cref="IZNode{T}.Changed"/>), including every member found by the initial sync.
    /// </summary>
    event Action<ZNodeMemberEvent<T>>? MemberAdded;

    /// <summary>Raised on the runtime's ordered stream when a member's parent node is deleted.</summary>
    event Action<ZNodeMemberEvent<T>>? MemberRemoved;

    /// <summary>
    /// The node for the given parameter values: a member's bound node, or, for a name that is not a member, a node bound
    /// now (one of the bounded non-members; see the remarks). Concurrent calls for one name bind it once.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number of values, or a value that is not a valid path segment.</exception>
    IZNode<T> Get(params IReadOnlyList<string> parameterValues);

    /// <summary>The node for the given parameter values once it has been read in the current session.</summary>
    Task<IZNode<T>> GetAsync(IReadOnlyList<string> parameterValues, CancellationToken cancellationToken = default);

    /// <summary>The member (or already bound node) for the given values, without binding anything; false when there is none.</summary>
    bool TryGet(IReadOnlyList<string> parameterValues, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IZNode<T>? node);
}

/// <summary>A member that appeared in, or left, a discovered family.</summary>
/// <typeparam name="T">The bound type.</typeparam>
/// <param name="Name">The member's options name (parameter values joined by '/').</param>
/// <param name="ParameterValues">The member's parameter values.</param>
/// <param name="Node">The member's node.</param>
public sealed record ZNodeMemberEvent<T>(string Name, IReadOnlyList<string> ParameterValues, IZNode<T> Node);
