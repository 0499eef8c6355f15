using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState.Configuration;

/// <summary>
/// The ZooKeeper configuration providers of the app's configuration, checked together: Healthy when every one serves
/// current keys; Degraded while one serves keys that may be out of date (disconnected, a lost session under
/// <see cref="SessionLossPolicy.ServeStaleAndRebuild"/>, a failed re-read) or keeps a node at its last good value
/// (malformed payload) or ignores a conflicting key; Unhealthy while one serves no keys yet (loading, or its session
/// lost under <see cref="SessionLossPolicy.InvalidateAndRebuild"/>), is disposed, or when the configuration has no such
/// provider at all (a registration that checks nothing would report a false Healthy). At worst the registration's
/// failure status.
/// </summary>
internal sealed class ZooKeeperConfigurationHealthCheck(IConfiguration configuration) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ZooKeeperConfigurationProvider[] providers = configuration is IConfigurationRoot root ? [.. root.GetZooKeeperProviders()] : [];
        var data = new Dictionary<string, object> { ["providers"] = providers.Length };
        if (providers.Length == 0)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "The app's configuration has no ZooKeeper provider (AddZooKeeper) to check.", data);
        }

        HealthStatus worst = HealthStatus.Healthy;
        var problems = new List<string>();
        for (int i = 0; i < providers.Length; i++)
        {
            ZooKeeperConfigurationStatus status = providers[i].Status;
            string roots = string.Join(", ", providers[i].Roots);
            string prefix = providers.Length == 1 ? string.Empty : $"{i}:";
            data[prefix + "roots"] = roots;
            data[prefix + "state"] = status.State.ToString();
            data[prefix + "keys"] = status.KeyCount;
            if (status.LoadedAt is { } loadedAt)
            {
                data[prefix + "loadedAt"] = loadedAt;
            }

            (HealthStatus health, string? problem) = Assess(status);
            if (status.PayloadErrors.Count > 0)
            {
                health = Min(health, HealthStatus.Degraded);
                problem = Join(problem, $"malformed payloads (last good keys kept): {string.Join(", ", status.PayloadErrors.Select(e => e.Path))}");
            }

            if (status.Conflicts.Count > 0)
            {
                health = Min(health, HealthStatus.Degraded);
                problem = Join(problem, $"conflicting keys (one value ignored): {string.Join(", ", status.Conflicts.Select(c => c.Key))}");
            }

            worst = Min(worst, health);
            if (problem is not null)
            {
                problems.Add($"{roots}: {problem}");
            }
        }

        string description = problems.Count == 0 ? "Every ZooKeeper configuration provider serves current keys." : string.Join("; ", problems) + ".";
        return ZkTypedStateHealth.Capped(context, worst, description, data);
    }

    private static (HealthStatus Health, string? Problem) Assess(ZooKeeperConfigurationStatus status) => status.State switch
    {
        ZooKeeperConfigurationState.Current => (HealthStatus.Healthy, null),
        ZooKeeperConfigurationState.Loading => (HealthStatus.Unhealthy, "not loaded yet (no keys served)"),
        ZooKeeperConfigurationState.Disconnected => (HealthStatus.Degraded, "disconnected; the last keys are served stale"),
        ZooKeeperConfigurationState.SessionLost when status.KeyCount > 0 => (HealthStatus.Degraded, "session lost; the last keys are served stale until re-read"),
        ZooKeeperConfigurationState.SessionLost => (HealthStatus.Unhealthy, "session lost; no keys served until re-read in a new session"),
        ZooKeeperConfigurationState.Faulted => (HealthStatus.Degraded, $"the last re-read failed ({status.Error?.Message}); the last keys are served"),
        _ => (HealthStatus.Unhealthy, "disposed"),
    };

    private static HealthStatus Min(HealthStatus a, HealthStatus b) => a < b ? a : b;

    private static string Join(string? a, string b) => a is null ? b : a + "; " + b;
}
