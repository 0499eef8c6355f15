using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

// Shared by the client and runtime test projects (linked into both): listeners that record what the SDK's meters and
// activity sources emit.
namespace ZkTypedState.TestSupport;

/// <summary>One measurement as a listener saw it.</summary>
public sealed record RecordedMeasurement(Instrument Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string key) => Tags.TryGetValue(key, out object? value) ? value : null;
}

/// <summary>Records every measurement of the meters a factory created (observable ones on <see cref="Collect"/>).</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new();

    public MetricRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    public IReadOnlyList<RecordedMeasurement> All(string instrument) => [.. _measurements.Where(m => m.Instrument.Name == instrument)];

    /// <summary>Reads every observable instrument once and returns what it reported, by instrument name.</summary>
    public IReadOnlyList<RecordedMeasurement> Collect(string instrument)
    {
        int before = _measurements.Count;
        _listener.RecordObservableInstruments();
        return [.. _measurements.Skip(before).Where(m => m.Instrument.Name == instrument)];
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument, value, copy));
    }
}

/// <summary>Records the stopped spans of the given sources (every span sampled, with all data).</summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActivityRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => sources.Contains(s.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                _stopped.Enqueue(a);
                lock (_gate)
                {
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Where(Func<Activity, bool> predicate) => [.. _stopped.Where(predicate)];

    /// <summary>Waits until a stopped span matches <paramref name="predicate"/>.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> predicate, string description)
    {
        using var timeout = new CancellationTokenSource(RecorderTimeouts.Event);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (_stopped.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No span {description} within {RecorderTimeouts.Event.TotalSeconds:0} s.");
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>How long a recorder waits for an expected measurement or span (as the test projects' own event timeout).</summary>
internal static class RecorderTimeouts
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(20);
}
