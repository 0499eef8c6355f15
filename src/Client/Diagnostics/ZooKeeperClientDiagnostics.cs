namespace ZkTypedState.Client;

/// <summary>
/// The names to subscribe to for the client's telemetry, e.g. with OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(ZooKeeperClientDiagnostics.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(ZooKeeperClientDiagnostics.ActivitySourceName))</c>.
/// </summary>
/// <remarks>
/// The instruments follow the OpenTelemetry semantic conventions: durations in seconds, <c>error.type</c> only on
/// failures, <c>server.address</c>/<c>server.port</c> of the server that answered, and every name under
/// <c>zookeeper.client.</c>. Spans are one per request (kind Client, named <c>zookeeper {operation}</c>); pings,
/// authentication packets and the SetWatches sent after a reconnect have none.
/// </remarks>
public static class ZooKeeperClientDiagnostics
{
    /// <summary>The meter of the client's instruments (operation duration, watch events, connection losses, reconnects).</summary>
    public const string MeterName = "ZkTypedState.Client";

    /// <summary>The activity source of the client's spans (one per request).</summary>
    public const string ActivitySourceName = "ZkTypedState.Client";
}
