using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState;

/// <summary>Options of a ZkTypedState health check registration (general, readiness or liveness).</summary>
public sealed class ZkTypedStateHealthCheckOptions
{
    /// <summary>
    /// The worst status the check reports (it becomes the registration's <see cref="HealthCheckRegistration.FailureStatus"/>).
    /// <see cref="HealthStatus.Degraded"/> caps it: what would be Unhealthy is reported Degraded, so the check shows up
    /// on a dashboard without failing a probe. Default <see cref="HealthStatus.Unhealthy"/>.
    /// </summary>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>
    /// The registration's tags, for <c>MapHealthChecks</c> predicates. Readiness starts with <c>ready</c>, liveness with
    /// <c>live</c>, the general check with none; add to them or clear them.
    /// </summary>
    public ISet<string> Tags { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The registration's timeout (null: the health check service's default, no timeout).</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// Liveness only: how long the runtime's notification stream or the session owner's executor may leave a probe
    /// unprocessed before the check reports it stalled (a handler that blocks it forever). Default 30 s; it is not a
    /// ZooKeeper timeout: a ZooKeeper outage never stalls them.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(FailureStatus))
        {
            throw new ArgumentException($"ZkTypedStateHealthCheckOptions.FailureStatus must be Unhealthy, Degraded or Healthy (was {(int)FailureStatus}).", nameof(FailureStatus));
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"ZkTypedStateHealthCheckOptions.Timeout must be positive or Timeout.InfiniteTimeSpan (was {timeout}).", nameof(Timeout));
        }

        if (StallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ZkTypedStateHealthCheckOptions.StallTimeout must be positive (was {StallTimeout}).", nameof(StallTimeout));
        }
    }
}
