using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ZkTypedState;

/// <summary>
/// The nodes of one path template: the discovered members (bound for as long as they exist) and a bounded LRU set of
/// names asked for that are not members (see <see cref="IZNodeFamily{T}"/>). Member lookups are lock-free; binding
/// and membership changes happen under one private lock, never held across an await, so one name is bound and
/// subscribed exactly once however many callers race for it.
/// </summary>
internal sealed partial class ZNodeFamily<T> : IZNodeFamily<T>
{
    private readonly ZNodeRuntime _runtime;
    private readonly IReadOnlyList<Func<string, T, IReadOnlyList<string>>> _validators;
    private readonly object _gate = new();

    // Members by options name: written under _gate, read without it.
    private readonly ConcurrentDictionary<string, Bound> _members = new(StringComparer.Ordinal);

    // Bound non-members, most recently asked-for first (guarded by _gate), at most _maxNonMembers.
    private readonly Dictionary<string, LinkedListNode<Bound>> _nonMembers = new(StringComparer.Ordinal);
    private readonly LinkedList<Bound> _recency = new();
    private readonly int _maxNonMembers;

    public ZNodeFamily(ZNodeRuntime runtime, ZNodeDescriptor<T> descriptor, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators)
    {
        _runtime = runtime;
        Descriptor = descriptor;
        _validators = validators;
        _maxNonMembers = runtime.Options.MaxFamilyNonMembers;
        IsDiscovered = descriptor.IsDiscoverable;
        if (IsDiscovered)
        {
            StartDiscovery();
        }
    }

    public ZNodeDescriptor<T> Descriptor { get; }

    public bool IsDiscovered { get; }

    public IReadOnlyCollection<string> Members => [.. _members.Keys];

    public int BoundCount
    {
        get
        {
            lock (_gate)
            {
                return _members.Count + _nonMembers.Count;
            }
        }
    }

    /// <summary>Raised (on the ordered stream) for a change of any bound node of the family.</summary>
    public event Action<ZNodeValue<T>, ZNodeChange<T>>? MemberChanged;

    public event Action<ZNodeMemberEvent<T>>? MemberAdded;

    public event Action<ZNodeMemberEvent<T>>? MemberRemoved;

    public IZNode<T> Get(params IReadOnlyList<string> parameterValues) => GetValue(parameterValues);

    public async Task<IZNode<T>> GetAsync(IReadOnlyList<string> parameterValues, CancellationToken cancellationToken = default)
    {
        ZNodeValue<T> value = GetValue(parameterValues);
        await value.WaitForLoadedAsync(cancellationToken).ConfigureAwait(false);
        return value;
    }

    public bool TryGet(IReadOnlyList<string> parameterValues, [NotNullWhen(true)] out IZNode<T>? node)
    {
        string name = NameOf(parameterValues);
        if (_members.TryGetValue(name, out Bound? member))
        {
            node = member.Value;
            return true;
        }

        lock (_gate)
        {
            // A bound non-member is returned but not made more recent: looking up does not keep a name alive.
            node = _nonMembers.TryGetValue(name, out LinkedListNode<Bound>? other) ? other.Value.Value : null;
            return node is not null;
        }
    }

    public ZNodeValue<T> GetByOptionsName(string name) => GetValue(Descriptor.ParseOptionsName(name));

    private ZNodeValue<T> GetValue(IReadOnlyList<string> parameterValues)
    {
        string name = NameOf(parameterValues);
        if (_members.TryGetValue(name, out Bound? member))
        {
            return member.Value;
        }

        string path = Descriptor.ResolvePath(parameterValues);
        lock (_gate)
        {
            if (_members.TryGetValue(name, out member))
            {
                return member.Value;
            }

            if (_nonMembers.TryGetValue(name, out LinkedListNode<Bound>? known))
            {
                _recency.Remove(known);
                _recency.AddFirst(known);
                return known.Value.Value;
            }

            Bound bound = BindLocked(name, [.. parameterValues], path);
            AddNonMemberLocked(bound);
            return bound.Value;
        }
    }

    /// <summary>The options name, after checking the values' shape (so joined names of different values never collide).</summary>
    private string NameOf(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Descriptor.Parameters.Count)
        {
            Descriptor.ResolvePath(values); // throws the descriptive error
        }

        foreach (string value in values)
        {
            if (string.IsNullOrEmpty(value) || value.Contains('/'))
            {
                Descriptor.ResolvePath(values);
            }
        }

        return Descriptor.ToOptionsName(values);
    }

    private Bound BindLocked(string name, string[] values, string path, Action<ZNodeValue<T>>? beforeStart = null)
    {
        ZNodeValue<T> value = _runtime.Bind(Descriptor, path, name, _validators, beforeStart);
        var bound = new Bound(name, values, value, change => MemberChanged?.Invoke(value, change));
        value.Changed += bound.OnChanged;
        return bound;
    }

    private void AddNonMemberLocked(Bound bound)
    {
        _nonMembers[bound.Name] = _recency.AddFirst(bound);
        while (_nonMembers.Count > _maxNonMembers)
        {
            LinkedListNode<Bound> oldest = _recency.Last!;
            _recency.RemoveLast();
            _nonMembers.Remove(oldest.Value.Name);
            oldest.Value.Value.Changed -= oldest.Value.OnChanged;
            _runtime.Unbind(oldest.Value.Value);
        }
    }

    /// <summary>Discovery found a member: bind it (or promote the bound non-member) and announce it first.</summary>
    private void MemberFoundLocked(string[] values)
    {
        string name = Descriptor.ToOptionsName(values);
        if (_members.ContainsKey(name))
        {
            return;
        }

        string path;
        try
        {
            path = Descriptor.ResolvePath(values);
        }
        catch (ArgumentException)
        {
            return; // a child whose name makes no valid node path (e.g. under /zookeeper) is no member
        }

        if (_nonMembers.Remove(name, out LinkedListNode<Bound>? known))
        {
            _recency.Remove(known);
            _members[name] = known.Value;
            Announce(added: true, known.Value);
            return;
        }

        // Announced before the member's first read starts, so MemberAdded precedes its own first Changed on the stream.
        _members[name] = BindLocked(name, values, path, value => Announce(added: true, name, values, () => value));
    }

    /// <summary>Discovery lost a member: it stays bound as a (bounded) non-member, so a held reference still follows it for a while.</summary>
    private void MemberGoneLocked(string name)
    {
        if (_members.TryRemove(name, out Bound? bound))
        {
            Announce(added: false, bound);
            AddNonMemberLocked(bound);
        }
    }

    private void Announce(bool added, Bound bound) => Announce(added, bound.Name, bound.Values, () => bound.Value);

    private void Announce(bool added, string name, string[] values, Func<ZNodeValue<T>> node)
    {
        if ((added ? MemberAdded : MemberRemoved) is null)
        {
            // Nobody to tell (a subscriber added later hears of later members): a bulk listing of thousands of members
            // does not queue thousands of empty notifications.
            return;
        }

        _runtime.Notify(() =>
        {
            try
            {
                (added ? MemberAdded : MemberRemoved)?.Invoke(new ZNodeMemberEvent<T>(name, values, node()));
            }
            catch (Exception ex)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(_runtime.Logger, ex, "A {Event} handler of {Template} threw for {Name}.", added ? "MemberAdded" : "MemberRemoved", Descriptor.PathTemplate, name);
            }
        });
    }

    /// <summary>A bound node of the family and its subscription (removed when it is unbound).</summary>
    private sealed record Bound(string Name, string[] Values, ZNodeValue<T> Value, Action<ZNodeChange<T>> OnChanged);
}
