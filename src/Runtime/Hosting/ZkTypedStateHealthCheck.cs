using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The general check: Healthy when connected with every node current; Degraded while disconnected, loading or with a
/// rejected payload; Unhealthy when the session is lost or authentication failed — at worst the registration's failure
/// status. Not a liveness probe: use <see cref="ZkTypedStateLivenessCheck"/> for that.
/// </summary>
internal sealed class ZkTypedStateHealthCheck(ZNodeRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ZooKeeperSession session = runtime.Session;
        IReadOnlyDictionary<string, ZNodeStatus> nodes = runtime.NodeStatuses;
        Dictionary<string, object> data = ZkTypedStateHealth.Data(runtime, nodes);
        if (session.IsAuthFailed)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "ZooKeeper authentication failed.", data);
        }

        if (session.IsSessionLost || session.State.IsSessionLost())
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "The ZooKeeper session is lost; values are being rebuilt in a new session.", data);
        }

        string[] faulted = [.. nodes.Where(kv => kv.Value == ZNodeStatus.Faulted).Select(kv => kv.Key)];
        if (faulted.Length > 0)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, $"Rejected payloads (last good values kept): {string.Join(", ", faulted)}.", data);
        }

        if (session.State != ZooKeeperState.Connected)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, $"Not connected to ZooKeeper ({session.State}); values are served stale.", data);
        }

        if (nodes.Values.Any(s => s is ZNodeStatus.Loading or ZNodeStatus.Invalidated or ZNodeStatus.Stale))
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Degraded, "Some nodes are still loading.", data);
        }

        return ZkTypedStateHealth.Capped(context, HealthStatus.Healthy, "Connected; every node is current.", data);
    }
}
