namespace ZkTypedState;

/// <summary>The nodes of one path template, bound and watched on first use.</summary>
internal sealed class ZNodeFamily<T>(ZNodeRuntime runtime, ZNodeDescriptor<T> descriptor, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators) : IZNodeFamily<T>
{
    public ZNodeDescriptor<T> Descriptor => descriptor;

    /// <summary>Raised for a change of any member of the family.</summary>
    public event Action<ZNodeValue<T>, ZNodeChange<T>>? MemberChanged;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ZNodeValue<T>> _members = new(StringComparer.Ordinal);

    public IZNode<T> Get(params IReadOnlyList<string> parameterValues) => GetValue(parameterValues);

    public ZNodeValue<T> GetByOptionsName(string name) => GetValue(descriptor.ParseOptionsName(name));

    private ZNodeValue<T> GetValue(IReadOnlyList<string> parameterValues)
    {
        string path = descriptor.ResolvePath(parameterValues);
        return _members.GetOrAdd(path, p =>
        {
            ZNodeValue<T> value = runtime.Bind(descriptor, p, descriptor.ToOptionsName(parameterValues), validators);
            value.Changed += change => MemberChanged?.Invoke(value, change);
            return value;
        });
    }
}
