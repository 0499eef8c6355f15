using System.Diagnostics;
using System.Threading.Channels;
using ZkTypedState.Client;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>Records a client's state changes with the test-local time they were delivered.</summary>
public sealed class StateRecorder
{
    private readonly Channel<(ZooKeeperStateChange Change, TimeSpan At)> _changes = Channel.CreateUnbounded<(ZooKeeperStateChange, TimeSpan)>();
    private readonly List<(ZooKeeperStateChange Change, TimeSpan At)> _all = [];
    private readonly Stopwatch _clock;

    public StateRecorder(ZooKeeperClient client, Stopwatch clock)
    {
        _clock = clock;

        // Changes are delivered asynchronously: one that happened before the recorder existed (e.g. the Connected
        // of the connect the test just awaited) may still be on its way, and is not what the test records.
        DateTimeOffset created = DateTimeOffset.UtcNow;
        client.StateChanged += change =>
        {
            if (change.Since < created)
            {
                return;
            }

            var entry = (change, _clock.Elapsed);
            lock (_all)
            {
                _all.Add(entry);
            }

            _changes.Writer.TryWrite(entry);
        };
    }

    public IReadOnlyList<ZooKeeperState> States
    {
        get
        {
            lock (_all)
            {
                return _all.Select(e => e.Change.Current).ToList();
            }
        }
    }

    /// <summary>Waits for the next change to <paramref name="state"/>, skipping others.</summary>
    public async Task<(ZooKeeperStateChange Change, TimeSpan At)> WaitForAsync(ZooKeeperState state)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            var entry = await _changes.Reader.ReadAsync(timeout.Token);
            if (entry.Change.Current == state)
            {
                return entry;
            }
        }
    }
}
