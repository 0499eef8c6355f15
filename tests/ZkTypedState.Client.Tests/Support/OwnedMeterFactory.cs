using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>A meter factory whose meters are told apart from every other test's (their Scope is this factory).</summary>
public sealed class OwnedMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
