using System.Diagnostics.Metrics;

namespace ZkTypedState;

/// <summary>
/// The runtime's instruments on the meter <c>ZkTypedState</c>: session state, nodes by status, changes applied,
/// payloads rejected, reads issued and session losses.
/// </summary>
internal sealed class RuntimeMetrics
{
    public const string MeterName = "ZkTypedState";

    private static readonly Meter SharedMeter = new(MeterName);

    private readonly Counter<long> _changes;
    private readonly Counter<long> _faults;
    private readonly Counter<long> _reads;
    private readonly Counter<long> _sessionLosses;

    public RuntimeMetrics(IMeterFactory? factory, Func<int> sessionState, Func<IEnumerable<Measurement<int>>> nodesByStatus)
    {
        Meter meter = factory?.Create(MeterName) ?? SharedMeter;
        _changes = meter.CreateCounter<long>("zktypedstate.changes.applied", "{change}", "Node changes applied to bound values.");
        _faults = meter.CreateCounter<long>("zktypedstate.payload.rejected", "{payload}", "Payloads rejected (malformed, invalid, too large); the last good value was kept.");
        _reads = meter.CreateCounter<long>("zktypedstate.reads", "{read}", "Reads issued to (re)load bound values.");
        _sessionLosses = meter.CreateCounter<long>("zktypedstate.session.losses", "{loss}", "Sessions lost (presumed or confirmed expired, auth failed).");
        meter.CreateObservableGauge("zktypedstate.session.state", sessionState, null, "The client state (ZooKeeperState as a number: 0 Connecting, 1 Connected, 2 Disconnected, 3 SessionPresumedExpired, 4 Expired, 5 AuthFailed, 6 Closed).");
        meter.CreateObservableGauge("zktypedstate.nodes", nodesByStatus, "{node}", "Bound nodes by status (fresh, stale, missing, faulted, invalidated, loading).");
    }

    public void ChangeApplied() => _changes.Add(1);

    public void PayloadRejected(ZNodePayloadError error) => _faults.Add(1, new KeyValuePair<string, object?>("zktypedstate.error", error.ToString()));

    public void ReadIssued() => _reads.Add(1);

    public void SessionLost() => _sessionLosses.Add(1);
}
