namespace ZkTypedState;

/// <summary>
/// The names to subscribe to for the runtime's telemetry, e.g. with OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(ZkTypedStateDiagnostics.MeterName, ZooKeeperClientDiagnostics.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(ZkTypedStateDiagnostics.ActivitySourceName, ZooKeeperClientDiagnostics.ActivitySourceName))</c>.
/// </summary>
/// <remarks>
/// Every instrument of both meters is named <c>zookeeper.client.*</c>: the runtime's meter carries what the bound
/// values and the session owner see (session state, nodes by status, changes, rejected payloads, reads, session
/// losses), the client's meter what the wire sees. Loads and re-reads of bound values are spans
/// (<c>zktypedstate load</c>, <c>zktypedstate reload</c>), each the root of its own trace, parenting the client's
/// request spans it issues.
/// </remarks>
public static class ZkTypedStateDiagnostics
{
    /// <summary>The meter of the runtime's instruments.</summary>
    public const string MeterName = "ZkTypedState";

    /// <summary>The activity source of the runtime's spans (loads and re-reads of bound values).</summary>
    public const string ActivitySourceName = "ZkTypedState";
}
