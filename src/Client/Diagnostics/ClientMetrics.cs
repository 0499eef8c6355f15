using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// The client's instruments on the meter <see cref="ZooKeeperClientDiagnostics.MeterName"/>, named and shaped per the
/// OpenTelemetry conventions (durations in seconds, <c>error.type</c> only on failures, <c>server.address</c>/<c>server.port</c>,
/// one <c>zookeeper.client.</c> prefix). One instance per <see cref="Meter"/>: every client created with the same meter
/// factory adds to the same instruments, so a session replaced after expiry neither duplicates nor resets a series.
/// Counters are observable and report every attribute value from the start, so a series reads 0 instead of being absent.
/// </summary>
internal sealed class ClientMetrics
{
    public const string MeterName = ZooKeeperClientDiagnostics.MeterName;

    /// <summary>
    /// The conventions' boundaries for short durations (http.client.request.duration, also used by .NET's own meters),
    /// with sub-millisecond buckets in front: a ZooKeeper read on a local network takes 0.1–1 ms.
    /// </summary>
    internal static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private static readonly Meter SharedMeter = new(MeterName, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConditionalWeakTable<Meter, ClientMetrics> ByMeter = new();
    private static readonly WatchEventType[] EventTypes = Enum.GetValues<WatchEventType>();
    private static readonly KeyValuePair<string, object?>[] EventTypeTags =
        [.. EventTypes.Select(t => new KeyValuePair<string, object?>(TelemetryNames.WatchEventType, TelemetryNames.SnakeCase(t.ToString())))];

    private readonly Histogram<double> _duration;
    private readonly long[] _watchEvents = new long[EventTypes.Length];
    private long _connectionLosses;
    private long _reconnects;

    // server.port as a boxed int, kept for the last port seen: recording a duration allocates nothing.
    private PortTag? _port;

    private ClientMetrics(Meter meter)
    {
        _duration = meter.CreateHistogram(
            "zookeeper.client.operation.duration",
            "s",
            "Duration of ZooKeeper requests, from queueing to the reply (or the loss of the connection it was sent on).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableCounter("zookeeper.client.watch.events", ObserveWatchEvents, "{event}", "Watch notifications received from the server, by event type.");
        meter.CreateObservableCounter("zookeeper.client.connection.losses", () => Interlocked.Read(ref _connectionLosses), "{connection}", "Established connections that were lost.");
        meter.CreateObservableCounter("zookeeper.client.reconnects", () => Interlocked.Read(ref _reconnects), "{reconnect}", "Sessions re-attached on a new connection.");
    }

    /// <summary>The instruments of <paramref name="factory"/>'s meter (or of the shared meter without a factory).</summary>
    public static ClientMetrics For(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(new MeterOptions(MeterName) { Version = SharedMeter.Version }) ?? SharedMeter;
        return ByMeter.GetValue(meter, static m => new ClientMetrics(m));
    }

    /// <summary>A request got its reply (<paramref name="error"/> is the error it completed with, Ok for an answer).</summary>
    public void Replied(Call call, ZooKeeperErrorCode error, HostEndpoint server) =>
        Record(call, TelemetryNames.ErrorTypeOf(error), server);

    /// <summary>A request written to <paramref name="server"/> was lost with its connection.</summary>
    public void Lost(Call call, Exception failure, HostEndpoint server) =>
        Record(call, TelemetryNames.ErrorTypeOf(failure), server);

    public void WatchEvent(WatchEventType type)
    {
        int index = Array.IndexOf(EventTypes, type);
        if (index >= 0)
        {
            Interlocked.Increment(ref _watchEvents[index]);
        }
    }

    public void ConnectionLost() => Interlocked.Increment(ref _connectionLosses);

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    private void Record(Call call, string? errorType, HostEndpoint server)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryNames.OperationName, OpNames.Of(call.OpCode) },
            { TelemetryNames.ServerAddress, server.Host },
            { TelemetryNames.ServerPort, BoxPort(server.Port) },
        };
        if (errorType is not null)
        {
            tags.Add(TelemetryNames.ErrorType, errorType);
        }

        _duration.Record(Stopwatch.GetElapsedTime(call.StartTimestamp).TotalSeconds, tags);
    }

    private object BoxPort(int port)
    {
        PortTag? cached = Volatile.Read(ref _port);
        if (cached is null || cached.Port != port)
        {
            cached = new PortTag(port, port);
            Volatile.Write(ref _port, cached);
        }

        return cached.Boxed;
    }

    private IEnumerable<Measurement<long>> ObserveWatchEvents()
    {
        var measurements = new Measurement<long>[EventTypes.Length];
        for (int i = 0; i < measurements.Length; i++)
        {
            measurements[i] = new Measurement<long>(Interlocked.Read(ref _watchEvents[i]), EventTypeTags[i]);
        }

        return measurements;
    }

    private sealed record PortTag(int Port, object Boxed);
}
