using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The runtime's instruments on the meter <see cref="ZkTypedStateDiagnostics.MeterName"/>, per the OpenTelemetry
/// conventions. One instance per <see cref="Meter"/>, shared by every runtime created with that meter factory (each
/// registers itself while alive): the state series count sessions in each state (0/1 with one runtime), the node
/// series sum the runtimes' nodes. Every instrument is observable and reports every attribute value, so a series reads
/// 0 rather than being absent until its first event.
/// </summary>
internal sealed class RuntimeMetrics
{
    public const string MeterName = ZkTypedStateDiagnostics.MeterName;
    public const string StateAttribute = "zookeeper.session.state";
    public const string StatusAttribute = "zookeeper.node.status";

    private static readonly Meter SharedMeter = new(MeterName, typeof(RuntimeMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConditionalWeakTable<Meter, RuntimeMetrics> ByMeter = new();
    private static readonly ZooKeeperState[] States = Enum.GetValues<ZooKeeperState>();
    private static readonly ZNodeStatus[] Statuses = Enum.GetValues<ZNodeStatus>();
    private static readonly ZNodePayloadError[] PayloadErrors = Enum.GetValues<ZNodePayloadError>();
    private static readonly KeyValuePair<string, object?>[] StateTags = [.. States.Select(s => Tag(StateAttribute, SnakeCase(s.ToString())))];
    private static readonly KeyValuePair<string, object?>[] StatusTags = [.. Statuses.Select(s => Tag(StatusAttribute, SnakeCase(s.ToString())))];
    private static readonly KeyValuePair<string, object?>[] PayloadErrorTags = [.. PayloadErrors.Select(e => Tag("error.type", e.ToString()))];

    private readonly List<ZNodeRuntime> _runtimes = [];
    private readonly long[] _rejected = new long[PayloadErrors.Length];
    private long _changes;
    private long _reads;
    private long _sessionLosses;

    private RuntimeMetrics(Meter meter)
    {
        meter.CreateObservableUpDownCounter("zookeeper.client.session.state", ObserveStates, "{session}", "Sessions in each state: 1 for the current state, 0 for every other (one series per state).");
        meter.CreateObservableUpDownCounter("zookeeper.client.node.count", ObserveNodes, "{node}", "Bound nodes by status.");
        meter.CreateObservableCounter("zookeeper.client.node.changes", () => Interlocked.Read(ref _changes), "{change}", "Node changes applied to bound values.");
        meter.CreateObservableCounter("zookeeper.client.node.payload.rejections", ObserveRejections, "{payload}", "Payloads rejected (the last good value was kept), by reason.");
        meter.CreateObservableCounter("zookeeper.client.node.reads", () => Interlocked.Read(ref _reads), "{read}", "Reads issued to load or re-read bound values.");
        meter.CreateObservableCounter("zookeeper.client.session.losses", () => Interlocked.Read(ref _sessionLosses), "{session}", "Sessions lost (presumed or confirmed expired, authentication failed).");
    }

    /// <summary>The instruments of <paramref name="factory"/>'s meter (or of the shared meter without a factory).</summary>
    public static RuntimeMetrics For(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(new MeterOptions(MeterName) { Version = SharedMeter.Version }) ?? SharedMeter;
        return ByMeter.GetValue(meter, static m => new RuntimeMetrics(m));
    }

    /// <summary>Adds a runtime to the state and node series (until <see cref="Unregister"/>).</summary>
    public void Register(ZNodeRuntime runtime)
    {
        lock (_runtimes)
        {
            _runtimes.Add(runtime);
        }
    }

    public void Unregister(ZNodeRuntime runtime)
    {
        lock (_runtimes)
        {
            _runtimes.Remove(runtime);
        }
    }

    public void ChangeApplied() => Interlocked.Increment(ref _changes);

    public void PayloadRejected(ZNodePayloadError error)
    {
        int index = Array.IndexOf(PayloadErrors, error);
        if (index >= 0)
        {
            Interlocked.Increment(ref _rejected[index]);
        }
    }

    public void ReadIssued() => Interlocked.Increment(ref _reads);

    public void SessionLost() => Interlocked.Increment(ref _sessionLosses);

    private ZNodeRuntime[] Runtimes()
    {
        lock (_runtimes)
        {
            return [.. _runtimes];
        }
    }

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        var counts = new int[States.Length];
        foreach (ZNodeRuntime runtime in Runtimes())
        {
            int index = Array.IndexOf(States, runtime.Session.State);
            if (index >= 0)
            {
                counts[index]++;
            }
        }

        return Measurements(counts, StateTags);
    }

    private IEnumerable<Measurement<int>> ObserveNodes()
    {
        var counts = new int[Statuses.Length];
        foreach (ZNodeRuntime runtime in Runtimes())
        {
            foreach (ZNodeStatus status in runtime.NodeStatusValues())
            {
                int index = Array.IndexOf(Statuses, status);
                if (index >= 0)
                {
                    counts[index]++;
                }
            }
        }

        return Measurements(counts, StatusTags);
    }

    private IEnumerable<Measurement<long>> ObserveRejections()
    {
        var measurements = new Measurement<long>[PayloadErrors.Length];
        for (int i = 0; i < measurements.Length; i++)
        {
            measurements[i] = new Measurement<long>(Interlocked.Read(ref _rejected[i]), PayloadErrorTags[i]);
        }

        return measurements;
    }

    private static Measurement<int>[] Measurements(int[] counts, KeyValuePair<string, object?>[] tags)
    {
        var measurements = new Measurement<int>[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            measurements[i] = new Measurement<int>(counts[i], tags[i]);
        }

        return measurements;
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    /// <summary>An attribute value per the conventions' style: SessionPresumedExpired → session_presumed_expired.</summary>
    internal static string SnakeCase(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
