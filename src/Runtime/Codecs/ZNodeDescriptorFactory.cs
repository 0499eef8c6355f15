namespace ZkTypedState;

/// <summary>
/// Descriptors for plain-value nodes (a <see cref="string"/>, <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or a
/// scalar) with the built-in codec of the type (<see cref="ZNodeCodecs.For{T}"/>). Bind them with
/// <c>AddZNode(descriptor)</c> (keyed by the path) or <c>AddZNode("key", descriptor)</c>.
/// </summary>
public static class ZNodeDescriptor
{
    /// <summary>A node of <typeparamref name="T"/> with its built-in codec; missing, it serves <c>default</c> (<c>""</c> for text, an empty array for bytes).</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    /// <typeparam name="T">string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double, decimal, bool, TimeSpan, Guid, DateTimeOffset or an enum.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no built-in codec.</exception>
    public static ZNodeDescriptor<T> For<T>(string pathTemplate)
    {
        IZNodeCodec<T> codec = ZNodeCodecs.For<T>();
        T whenMissing = DefaultOf<T>();
        return new ZNodeDescriptor<T>(pathTemplate, codec, () => whenMissing);
    }

    /// <summary>A node of <typeparamref name="T"/> with its built-in codec, serving <paramref name="whenMissing"/> while the node does not exist.</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    /// <param name="whenMissing">The value served while the node does not exist (shared: for byte[] do not change it).</param>
    /// <typeparam name="T">string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double, decimal, bool, TimeSpan, Guid, DateTimeOffset or an enum.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no built-in codec.</exception>
    public static ZNodeDescriptor<T> For<T>(string pathTemplate, T whenMissing)
    {
        ArgumentNullException.ThrowIfNull(whenMissing);
        return new ZNodeDescriptor<T>(pathTemplate, ZNodeCodecs.For<T>(), () => whenMissing);
    }

    /// <summary>A UTF-8 text node (<see cref="ZNodeCodecs.Text"/>); missing, it serves <c>""</c>.</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    public static ZNodeDescriptor<string> Text(string pathTemplate) => For<string>(pathTemplate);

    /// <summary>A raw bytes node (<see cref="ZNodeCodecs.Bytes"/>); missing, it serves an empty array.</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    public static ZNodeDescriptor<byte[]> Bytes(string pathTemplate) => For<byte[]>(pathTemplate);

    private static T DefaultOf<T>()
    {
        // Text and bytes have an empty value; every scalar's default is its zero.
        object? empty = typeof(T) == typeof(string) ? string.Empty : typeof(T) == typeof(byte[]) ? Array.Empty<byte>() : null;
        return empty is T value ? value : default!;
    }
}
