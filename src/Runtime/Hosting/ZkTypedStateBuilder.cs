using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace ZkTypedState;

/// <summary>Registers bound nodes; returned by <c>services.AddZkTypedState(...)</c>.</summary>
public sealed class ZkTypedStateBuilder
{
    internal ZkTypedStateBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Binds a node: registers <see cref="IZNode{T}"/> (or <see cref="IZNodeFamily{T}"/> for a path template),
    /// <c>IOptionsMonitor&lt;T&gt;</c>, <c>IOptions&lt;T&gt;</c> and the node's place in the initial sync.
    /// The source generator calls this for every <see cref="ZNodeAttribute"/> type from <c>AddGeneratedZNodes()</c>.
    /// </summary>
    /// <remarks>
    /// A plain-value type (<see cref="ZNodeCodecs.IsPlainValueType"/>: string, byte[], ReadOnlyMemory&lt;byte&gt;, a
    /// built-in scalar) is bound as a keyed <see cref="IZNode{T}"/> under its path (<c>[FromKeyedServices("/app/motd")]</c>)
    /// — or as the type's <see cref="IZNodeFamily{T}"/> for a path template — with no options registrations.
    /// </remarks>
    /// <exception cref="InvalidOperationException">
    /// <typeparamref name="T"/> is already bound without a key to another path (bind several nodes of one type with
    /// <see cref="AddZNode{T}(string, ZNodeDescriptor{T})"/>), or the path is already bound. Binding the same path again
    /// without a key does nothing.
    /// </exception>
    public ZkTypedStateBuilder AddZNode<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(ZNodeDescriptor<T> descriptor)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ZNodeRegistration.Register(Services, descriptor, key: null);
        return this;
    }

    /// <summary>
    /// Binds one of several nodes of one type under a key: registers a keyed <see cref="IZNode{T}"/>
    /// (<c>[FromKeyedServices("primary")] IZNode&lt;T&gt;</c>), makes <c>IOptionsMonitor&lt;T&gt;.Get("primary")</c> (and
    /// <c>IOptionsSnapshot&lt;T&gt;.Get</c>) read it, and adds it to the initial sync. A type may have one unkeyed binding
    /// (the default options name) besides any number of keyed ones.
    /// </summary>
    /// <param name="key">The key and options name: non-empty.</param>
    /// <param name="descriptor">A plain path (a path template is named by its parameter values and takes no key).</param>
    /// <remarks>For a plain-value type (string, byte[], a scalar) only the keyed <see cref="IZNode{T}"/> is registered, no options.</remarks>
    /// <exception cref="InvalidOperationException">The key is already bound to another path, the path is already bound, or the type's unkeyed binding is a path template.</exception>
    /// <exception cref="NotSupportedException">The descriptor is a path template.</exception>
    public ZkTypedStateBuilder AddZNode<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(string key, ZNodeDescriptor<T> descriptor)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(descriptor);
        ZNodeRegistration.Register(Services, descriptor, key);
        return this;
    }

    /// <summary>
    /// Binds a plain-value node by path, with the built-in codec of <typeparamref name="T"/> (<see cref="ZNodeCodecs.For{T}"/>):
    /// registers a keyed <see cref="IZNode{T}"/> whose key is the path — inject <c>[FromKeyedServices("/app/motd")] IZNode&lt;string&gt;</c>
    /// or call <c>GetRequiredKeyedService&lt;IZNode&lt;string&gt;&gt;("/app/motd")</c> — and adds it to the initial sync.
    /// No <c>IOptionsMonitor&lt;T&gt;</c> is registered. For a path template it registers <see cref="IZNodeFamily{T}"/>.
    /// </summary>
    /// <param name="path">An absolute path (or a path template).</param>
    /// <typeparam name="T">string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double, decimal, bool, TimeSpan, Guid, DateTimeOffset or an enum.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no built-in codec (declare a [ZNode] type, or pass a descriptor with a codec).</exception>
    /// <exception cref="InvalidOperationException">The path is already bound under another key, or the key to another path.</exception>
    public ZkTypedStateBuilder AddZNode<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(string path)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(path);
        return AddZNode(ZNodeDescriptor.For<T>(path));
    }

    /// <summary>
    /// Binds a plain-value node by path under <paramref name="key"/>: like <see cref="AddZNode{T}(string)"/>, with
    /// <c>[FromKeyedServices(key)] IZNode&lt;T&gt;</c>.
    /// </summary>
    /// <param name="key">The key: non-empty.</param>
    /// <param name="path">An absolute path.</param>
    /// <typeparam name="T">string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double, decimal, bool, TimeSpan, Guid, DateTimeOffset or an enum.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no built-in codec, or <paramref name="path"/> is a template.</exception>
    /// <exception cref="InvalidOperationException">The path is already bound under another key, or the key to another path.</exception>
    public ZkTypedStateBuilder AddZNode<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(string key, string path)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(path);
        return AddZNode(key, ZNodeDescriptor.For<T>(path));
    }
}
