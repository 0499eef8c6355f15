using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState;

/// <summary>
/// ZkTypedState health checks with options: a general one (optionally capped at Degraded), and separate readiness and
/// liveness checks for orchestrators that restart on a failed liveness probe.
/// </summary>
/// <example><code>
/// builder.Services.AddHealthChecks()
///     .AddZkTypedStateReadiness()   // tag "ready": Unhealthy until loaded, and while a lost session is rebuilt
///     .AddZkTypedStateLiveness();   // tag "live": Unhealthy only if the runtime stopped serving or its loops stalled
/// app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c =&gt; c.Tags.Contains("ready") });
/// app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = c =&gt; c.Tags.Contains("live") });
/// </code></example>
public static class ZkTypedStateHealthChecksBuilderExtensions
{
    /// <summary>The tag of <see cref="AddZkTypedStateReadiness"/>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag of <see cref="AddZkTypedStateLiveness"/>.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds the general check (as <c>AddZkTypedState(name, tags)</c>) with options, e.g.
    /// <c>AddZkTypedState("zk", o =&gt; o.FailureStatus = HealthStatus.Degraded)</c> to report at worst Degraded.
    /// </summary>
    public static IHealthChecksBuilder AddZkTypedState(this IHealthChecksBuilder builder, string name, Action<ZkTypedStateHealthCheckOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(builder, name, configure, null, static (sp, _) => new ZkTypedStateHealthCheck(sp.GetRequiredService<ZNodeRuntime>()));
    }

    /// <summary>
    /// Adds a readiness check (tag <c>ready</c>): Unhealthy until the initial sync is done (a session and every bound node
    /// loaded), while a lost session's values are being rebuilt (Degraded instead under
    /// <see cref="SessionLossPolicy.ServeStaleAndRebuild"/>, which keeps serving them), and after an authentication
    /// failure; Degraded while disconnected (values served stale) or with a rejected payload; Healthy otherwise.
    /// </summary>
    public static IHealthChecksBuilder AddZkTypedStateReadiness(this IHealthChecksBuilder builder, string name = "zktypedstate-ready", Action<ZkTypedStateHealthCheckOptions>? configure = null) =>
        Add(builder, name, configure, ReadyTag, static (sp, _) => new ZkTypedStateReadinessCheck(sp.GetRequiredService<ZNodeRuntime>()));

    /// <summary>
    /// Adds a liveness check (tag <c>live</c>): Healthy as long as the runtime serves values and its background loops
    /// make progress, whatever ZooKeeper does — a disconnection, an outage or a lost session never fail it, since a
    /// restart would not help. Unhealthy once the runtime has stopped, or when its notification stream or session
    /// executor left a probe unprocessed for <see cref="ZkTypedStateHealthCheckOptions.StallTimeout"/> (a handler blocks).
    /// </summary>
    public static IHealthChecksBuilder AddZkTypedStateLiveness(this IHealthChecksBuilder builder, string name = "zktypedstate-live", Action<ZkTypedStateHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new ZkTypedStateLoopProbe(sp.GetRequiredService<ZNodeRuntime>()));
        return Add(builder, name, configure, LiveTag, static (sp, options) => new ZkTypedStateLivenessCheck(sp.GetRequiredService<ZkTypedStateLoopProbe>(), options.StallTimeout));
    }

    private static IHealthChecksBuilder Add(
        IHealthChecksBuilder builder,
        string name,
        Action<ZkTypedStateHealthCheckOptions>? configure,
        string? defaultTag,
        Func<IServiceProvider, ZkTypedStateHealthCheckOptions, IHealthCheck> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new ZkTypedStateHealthCheckOptions();
        if (defaultTag is not null)
        {
            options.Tags.Add(defaultTag);
        }

        configure?.Invoke(options);
        options.Validate();
        return builder.Add(new HealthCheckRegistration(name, sp => create(sp, options), options.FailureStatus, [.. options.Tags], options.Timeout));
    }
}
