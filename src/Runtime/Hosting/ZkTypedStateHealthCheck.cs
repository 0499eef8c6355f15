using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>Reports the session and the bound nodes as a health status.</summary>
internal sealed class ZkTypedStateHealthCheck(ZNodeRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ZooKeeperSession session = runtime.Session;
        IReadOnlyDictionary<string, ZNodeStatus> nodes = runtime.NodeStatuses;
        var data = new Dictionary<string, object>
        {
            ["state"] = session.State.ToString(),
            ["epoch"] = session.Epoch,
            ["nodes"] = nodes.Count,
        };
        foreach (IGrouping<ZNodeStatus, KeyValuePair<string, ZNodeStatus>> group in nodes.GroupBy(kv => kv.Value))
        {
            data[group.Key.ToString().ToLowerInvariant()] = group.Count();
        }

        if (session.IsAuthFailed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("ZooKeeper authentication failed.", data: data));
        }

        if (session.IsSessionLost || session.State.IsSessionLost())
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The ZooKeeper session is lost; values are being rebuilt in a new session.", data: data));
        }

        string[] faulted = nodes.Where(kv => kv.Value == ZNodeStatus.Faulted).Select(kv => kv.Key).ToArray();
        if (faulted.Length > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Rejected payloads (last good values kept): {string.Join(", ", faulted)}.", data: data));
        }

        if (session.State != ZooKeeperState.Connected)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Not connected to ZooKeeper ({session.State}); values are served stale.", data: data));
        }

        if (nodes.Values.Any(s => s is ZNodeStatus.Loading or ZNodeStatus.Invalidated or ZNodeStatus.Stale))
        {
            return Task.FromResult(HealthCheckResult.Degraded("Some nodes are still loading.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Connected; every node is current.", data: data));
    }
}
