using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> over a type's bound nodes. <see cref="Get"/> takes the options name: the
/// empty default name is the unkeyed node; a key (<c>AddZNode("primary", …)</c>) its keyed node; for a path template the
/// parameter values ("acme", or "acme/eu" for two parameters). <see cref="CurrentValue"/> is <c>Get("")</c>: for a type
/// bound only to a path template, or only with keys, there is no node with the default name and it returns the
/// type's default value (as Microsoft.Extensions.Options returns an unconfigured instance) — never throws.
/// <see cref="OnChange"/> fires, with the options name, whenever a value <c>Get</c> returns changes (the node's
/// <see cref="IZNode{T}.Changed"/>), on the runtime's ordered stream. Reads are lock-free snapshot reads.
/// </summary>
internal sealed class ZNodeOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T> : IOptionsMonitor<T>
    where T : notnull
{
    private readonly ZNodeValue<T>? _single;
    private readonly ZNodeFamily<T>? _family;
    private readonly Dictionary<string, ZNodeValue<T>> _keyed = new(StringComparer.Ordinal);
    private readonly T _unbound;
    private readonly object _gate = new();
    private Action<T, string?>[] _listeners = [];

    public ZNodeOptionsMonitor(IServiceProvider services, ZNodeTypeBindings<T> bindings)
    {
        if (bindings.Default is { } unkeyed)
        {
            if (unkeyed.IsTemplate)
            {
                _family = (ZNodeFamily<T>)services.GetRequiredService<IZNodeFamily<T>>();
                _family.MemberChanged += (member, change) => Raise(change.Current.Value, member.OptionsName);
            }
            else
            {
                _single = (ZNodeValue<T>)services.GetRequiredService<IZNode<T>>();
                _single.Changed += change => Raise(change.Current.Value, Options.DefaultName);
            }
        }

        foreach ((string key, ZNodeDescriptor<T> _) in bindings.Keyed)
        {
            var node = (ZNodeValue<T>)services.GetRequiredKeyedService<IZNode<T>>(key);
            _keyed.Add(key, node);
            node.Changed += change => Raise(change.Current.Value, key);
        }

        // One instance served for the default name when no node has it (a family type, or keyed nodes only).
        _unbound = (bindings.Default ?? bindings.Keyed.Values.First()).CreateDefault();
    }

    public T CurrentValue => Get(Options.DefaultName);

    /// <summary>True once the value of the default name comes from ZooKeeper (or there is no node with that name).</summary>
    internal bool DefaultSettled => _single is null || _single.Status is not (ZNodeStatus.Loading or ZNodeStatus.Invalidated);

    public T Get(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return _single is not null ? _single.Value : _unbound;
        }

        if (_keyed.TryGetValue(name, out ZNodeValue<T>? keyed))
        {
            return keyed.Value;
        }

        if (_family is not null)
        {
            return _family.GetByOptionsName(name).Value;
        }

        // A typo in a name must not silently read as configuration: the names of plain nodes are a closed set.
        string known = _keyed.Count == 0 ? "it has no named options" : "its names are " + string.Join(", ", _keyed.Keys.Select(k => $"'{k}'"));
        throw new ArgumentException($"{typeof(T).Name} has no node named '{name}' ({known}; the unkeyed node is the default name \"\").", nameof(name));
    }

    public IDisposable? OnChange(Action<T, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    private void Raise(T value, string name)
    {
        foreach (Action<T, string?> listener in Volatile.Read(ref _listeners))
        {
            listener(value, name);
        }
    }

    private void Remove(Action<T, string?> listener)
    {
        lock (_gate)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
        }
    }

    private sealed class Subscription(ZNodeOptionsMonitor<T> owner, Action<T, string?> listener) : IDisposable
    {
        public void Dispose() => owner.Remove(listener);
    }
}

/// <summary>
/// <see cref="IOptions{TOptions}"/> as Microsoft.Extensions.Options defines it: a singleton whose <see cref="Value"/> is
/// computed once and then never changes. It is the default name's value at the first read after that value was loaded
/// from ZooKeeper (reads before the initial load return the current value without fixing it, so a service built
/// before the host started never freezes the type's defaults). Use <see cref="IOptionsMonitor{TOptions}"/> or
/// <see cref="IZNode{T}"/> for live values, <see cref="IOptionsSnapshot{TOptions}"/> for one value per request.
/// </summary>
internal sealed class ZNodeOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IOptionsMonitor<T> monitor) : IOptions<T>
    where T : class
{
    private T? _value;

    public T Value
    {
        get
        {
            if (Volatile.Read(ref _value) is { } fixedValue)
            {
                return fixedValue;
            }

            T current = monitor.CurrentValue;
            if (monitor is not ZNodeOptionsMonitor<T> nodes || nodes.DefaultSettled)
            {
                return Interlocked.CompareExchange(ref _value, current, null) ?? current;
            }

            return current;
        }
    }
}

/// <summary>
/// <see cref="IOptionsSnapshot{TOptions}"/> as Microsoft.Extensions.Options defines it: scoped, each name's value read
/// once per scope (on first use) and then kept, so two reads in one request always agree.
/// </summary>
internal sealed class ZNodeOptionsSnapshot<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IOptionsMonitor<T> monitor) : IOptionsSnapshot<T>
    where T : class
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, T> _values = new(StringComparer.Ordinal);

    public T Value => Get(Options.DefaultName);

    public T Get(string? name) => _values.GetOrAdd(name ?? Options.DefaultName, monitor.Get);
}
