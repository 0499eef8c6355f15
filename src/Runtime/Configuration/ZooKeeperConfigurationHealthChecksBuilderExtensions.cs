using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState.Configuration;

/// <summary>A health check for the ZooKeeper configuration providers (<c>AddZooKeeper</c>) of the app's configuration.</summary>
public static class ZooKeeperConfigurationHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of every ZooKeeper configuration provider in the app's <see cref="IConfiguration"/>: Healthy when all
    /// serve current keys; Degraded while one serves possibly stale keys (disconnected, session lost under
    /// <c>ServeStaleAndRebuild</c>, a failed re-read) or keeps a malformed node at its last good value or ignores a
    /// conflicting key; Unhealthy while one serves no keys yet, or when the configuration has no such provider. Its data
    /// holds each provider's roots, state, key count and last load time.
    /// </summary>
    /// <example><code>
    /// builder.Configuration.AddZooKeeper("zk1:2181", "/myapp/config");
    /// builder.Services.AddHealthChecks().AddZooKeeperConfiguration(tags: ["ready"]);
    /// </code></example>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>zookeeper-configuration</c>.</param>
    /// <param name="failureStatus">The worst status reported (e.g. Degraded to never fail a probe on it). Default: Unhealthy.</param>
    /// <param name="tags">Tags of the check.</param>
    public static IHealthChecksBuilder AddZooKeeperConfiguration(this IHealthChecksBuilder builder, string name = "zookeeper-configuration", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new ZooKeeperConfigurationHealthCheck(sp.GetRequiredService<IConfiguration>()),
            failureStatus,
            tags));
    }
}
