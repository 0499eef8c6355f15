using Microsoft.Extensions.DependencyInjection;

namespace ZkTypedState;

/// <summary>DI wiring of one bound node (filled in by the runtime).</summary>
internal static class ZNodeRegistration
{
    public static void Register<T>(IServiceCollection services, ZNodeDescriptor<T> descriptor)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(descriptor);
    }
}
