using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState;

/// <summary>
/// Liveness: would restarting this instance help? Only if the runtime stopped or one of its serialized loops is stuck
/// (see <see cref="ZkTypedStateLoopProbe"/>). ZooKeeper being unreachable, a lost session or a rejected payload never
/// fail it: values keep being served and the runtime recovers by itself, and a restart would only add load to a
/// recovering ensemble. At worst the registration's failure status.
/// </summary>
internal sealed class ZkTypedStateLivenessCheck(ZkTypedStateLoopProbe probe, TimeSpan stallTimeout) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ZkTypedStateLoopProbe.Result result = probe.Check(stallTimeout);
        var data = new Dictionary<string, object>
        {
            ["state"] = probe.Runtime.Session.State.ToString(),
            ["epoch"] = probe.Runtime.Session.Epoch,
            ["nodes"] = probe.Runtime.BoundNodeCount,
        };
        if (result.Stopped)
        {
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, "The ZkTypedState runtime has stopped serving values.", data);
        }

        if (result.Stalled is { } stalled)
        {
            data["stalled_ms"] = (long)result.StalledFor.TotalMilliseconds;
            return ZkTypedStateHealth.Capped(context, HealthStatus.Unhealthy, $"The {stalled} has not run a probe for {result.StalledFor.TotalSeconds:0.#} s (stall timeout {stallTimeout.TotalSeconds:0.#} s): a handler blocks it.", data);
        }

        return ZkTypedStateHealth.Capped(context, HealthStatus.Healthy, "Serving values; background loops are running.", data);
    }
}
