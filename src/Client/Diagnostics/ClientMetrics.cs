using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// The client's instruments, on the meter <c>ZkTypedState.Client</c>: requests and their latency by
/// operation and outcome, watch events, connection losses and reconnects.
/// </summary>
internal sealed class ClientMetrics
{
    public const string MeterName = "ZkTypedState.Client";

    private static readonly Meter SharedMeter = new(MeterName, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _watchEvents;
    private readonly Counter<long> _connectionLosses;
    private readonly Counter<long> _reconnects;

    public ClientMetrics(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(MeterName) ?? SharedMeter;
        _requests = meter.CreateCounter<long>("zookeeper.client.requests", "{request}", "Requests completed, by operation and outcome.");
        _duration = meter.CreateHistogram<double>("zookeeper.client.request.duration", "ms", "Time from issuing a request to its reply.");
        _watchEvents = meter.CreateCounter<long>("zookeeper.client.watch.events", "{event}", "Watch notifications received from the server.");
        _connectionLosses = meter.CreateCounter<long>("zookeeper.client.connection.losses", "{loss}", "Established connections that were lost.");
        _reconnects = meter.CreateCounter<long>("zookeeper.client.reconnects", "{reconnect}", "Sessions re-attached on a new connection.");
    }

    public void RequestCompleted(string operation, string outcome, long startTimestamp)
    {
        var tags = new TagList { { "zookeeper.operation", operation }, { "zookeeper.outcome", outcome } };
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, tags);
    }

    public void WatchEvent(WatchEventType type) => _watchEvents.Add(1, new KeyValuePair<string, object?>("zookeeper.event", type.ToString()));

    public void ConnectionLost() => _connectionLosses.Add(1);

    public void Reconnected() => _reconnects.Add(1);
}
