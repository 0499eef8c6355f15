using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>Registration of the typed-state runtime.</summary>
public static class ZkTypedStateServiceCollectionExtensions
{
    /// <summary>
    /// Adds the runtime: the session owner (<see cref="ZooKeeperSession"/>), the bound-value runtime
    /// (<see cref="ZNodeRuntime"/>) and a hosted service that connects at startup and waits until every registered node
    /// is loaded. Then bind nodes with <c>.AddGeneratedZNodes()</c> (every [ZNode] type of the assembly) or
    /// <see cref="ZkTypedStateBuilder.AddZNode{T}(ZNodeDescriptor{T})"/>.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddZkTypedState(o => o.ConnectionString = "zk1:2181,zk2:2181/myapp").AddGeneratedZNodes();
    /// builder.Services.AddHealthChecks().AddZkTypedState();
    /// </code></example>
    public static ZkTypedStateBuilder AddZkTypedState(this IServiceCollection services, Action<ZkTypedStateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<ZkTypedStateOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        // Every setting checked with a clear message when the host starts, not later in a reconnect loop.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZkTypedStateOptions>, ZkTypedStateOptionsValidator>());
        optionsBuilder.ValidateOnStart();

        services.TryAddSingleton(sp => new ZooKeeperSession(
            sp.GetRequiredService<IOptions<ZkTypedStateOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new ZNodeRuntime(
            sp.GetRequiredService<ZooKeeperSession>(),
            sp.GetRequiredService<IOptions<ZkTypedStateOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ZkTypedStateHostedService>());
        return new ZkTypedStateBuilder(services);
    }

    /// <summary>
    /// Adds the ZkTypedState health check: healthy when connected with every node current; degraded while disconnected,
    /// loading, or with a faulted payload; unhealthy when the session is lost or authentication failed.
    /// </summary>
    public static IHealthChecksBuilder AddZkTypedState(this IHealthChecksBuilder builder, string name = "zktypedstate", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new ZkTypedStateHealthCheck(sp.GetRequiredService<ZNodeRuntime>()), HealthStatus.Unhealthy, tags));
    }
}
