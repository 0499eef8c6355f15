using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> over bound nodes: <see cref="CurrentValue"/> is the node's value (a lock-free
/// read of its snapshot, no allocation), <see cref="Get"/> takes the parameter values of a path template as the
/// options name ("acme", or "acme/eu" for two parameters), and <see cref="OnChange"/> fires whenever the value it
/// returns changes (the node's <see cref="IZNode{T}.Changed"/>: first load, newer payload, deletion, invalidation, rebuild).
/// It never throws from a read: an invalid payload is rejected before it is applied and the last good value stays.
/// </summary>
internal sealed class ZNodeOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T> : IOptionsMonitor<T>
{
    private readonly ZNodeValue<T>? _single;
    private readonly ZNodeFamily<T>? _family;
    private readonly object _gate = new();
    private Action<T, string?>[] _listeners = [];

    public ZNodeOptionsMonitor(ZNodeValue<T> single)
    {
        _single = single;
        single.Changed += change => Raise(change.Current.Value, Options.DefaultName);
    }

    public ZNodeOptionsMonitor(ZNodeFamily<T> family)
    {
        _family = family;
        family.MemberChanged += (member, change) => Raise(change.Current.Value, member.OptionsName);
    }

    public T CurrentValue => Get(Options.DefaultName);

    public T Get(string? name)
    {
        if (_single is not null)
        {
            if (!string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"{typeof(T).Name} is bound to the single node {_single.Path}; it has no named options (got '{name}').", nameof(name));
            }

            return _single.Value;
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{typeof(T).Name} is bound to the path template {_family!.Descriptor.PathTemplate}: ask for a name, e.g. Get(\"{string.Join("/", _family.Descriptor.Parameters)}\" values).", nameof(name));
        }

        return _family!.GetByOptionsName(name).Value;
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

/// <summary><see cref="IOptions{TOptions}"/> that reads the node's current value on every access (never a stale copy).</summary>
internal sealed class ZNodeOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IOptionsMonitor<T> monitor) : IOptions<T>, IOptionsSnapshot<T>
    where T : class
{
    public T Value => monitor.CurrentValue;

    public T Get(string? name) => monitor.Get(name);
}
