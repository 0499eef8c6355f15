using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState;

/// <summary>What every ZkTypedState check reports alongside its status, and the cap at the registration's failure status.</summary>
internal static class ZkTypedStateHealth
{
    /// <summary>The session state, epoch and the bound nodes by status.</summary>
    public static Dictionary<string, object> Data(ZNodeRuntime runtime, IReadOnlyDictionary<string, ZNodeStatus> nodes)
    {
        ZooKeeperSession session = runtime.Session;
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

        return data;
    }

    /// <summary>
    /// Reports at worst the registration's failure status (Degraded caps a check; Healthy makes it informational),
    /// as the framework does for a check that throws.
    /// </summary>
    public static Task<HealthCheckResult> Capped(HealthCheckContext context, HealthStatus status, string description, IReadOnlyDictionary<string, object> data)
    {
        HealthStatus worst = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        HealthStatus reported = status < worst ? worst : status;
        return Task.FromResult(new HealthCheckResult(reported, description, data: data));
    }
}
