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
    public ZkTypedStateBuilder AddZNode<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(ZNodeDescriptor<T> descriptor)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ZNodeRegistration.Register(Services, descriptor);
        return this;
    }
}
