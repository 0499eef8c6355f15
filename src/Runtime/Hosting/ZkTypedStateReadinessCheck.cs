using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Readiness: may this instance take traffic that reads bound values? Unhealthy until the first session is established
/// and every bound node loaded, while values are rebuilt after a session loss (unless they are served stale by policy),
/// after an authentication failure and once the runtime stopped; Degraded (still ready) while disconnected or with a
/// rejected payload. At worst the registration's failure status.
/// </summary>
internal sealed class ZkTypedStateReadinessCheck(ZNodeRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ZooKeeperSession session = runtime.Session;
        IReadOnlyDictionary<string, ZNodeStatus> nodes = runtime.NodeStatuses;
        Dictionary<string, object> data = ZkTypedStateHealth.Data(runtime, nodes);
        if (runtime.IsStopped)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "The ZkTypedState runtime has stopped.", data);
        }

        if (session.IsAuthFailed)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "ZooKeeper authentication failed; no session can be established.", data);
        }

        if (session.IsSessionLost || session.State.IsSessionLost())
        {
            return runtime.Options.SessionLossPolicy == SessionLossPolicy.ServeStaleAndRebuild
                ? ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, "The ZooKeeper session is lost; the last values are served stale (ServeStaleAndRebuild) while a new session is built.", data)
                : ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "The ZooKeeper session is lost; values are invalidated until they are rebuilt in a new session.", data);
        }

        if (!session.IsEstablished)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, $"The initial sync is not done: no ZooKeeper session yet ({session.State}).", data);
        }

        string[] loading = [.. nodes.Where(kv => kv.Value is ZNodeStatus.Loading or ZNodeStatus.Invalidated).Select(kv => kv.Key).Order(StringComparer.Ordinal).Take(10)];
        if (loading.Length > 0)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, $"Not every bound node is loaded yet (e.g. {string.Join(", ", loading)}).", data);
        }

        if (session.State != ZooKeeperState.Connected)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, $"Not connected to ZooKeeper ({session.State}); values are served stale while the session is re-attached.", data);
        }

        string[] faulted = [.. nodes.Where(kv => kv.Value == ZNodeStatus.Faulted).Select(kv => kv.Key).Order(StringComparer.Ordinal).Take(10)];
        if (faulted.Length > 0)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, $"Rejected payloads (last good values kept): {string.Join(", ", faulted)}.", data);
        }

        return ZkTypedStateHealth.Capped(context, HealthStatus.Healthy, "Ready: every bound node is loaded and current.", data);
    }
}
