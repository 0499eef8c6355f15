using System.Diagnostics;
using System.Threading.Channels;

namespace ZkTypedState.Recipes.Tests.Support;

/// <summary>Records a participant's leadership events, in order, with the time they were raised.</summary>
public sealed class LeadershipRecorder
{
    private readonly Channel<(object Event, TimeSpan At)> _events = Channel.CreateUnbounded<(object, TimeSpan)>();
    private readonly List<(object Event, TimeSpan At)> _all = [];
    private readonly Stopwatch _clock;

    public LeadershipRecorder(LeaderElection election, Stopwatch? clock = null)
    {
        _clock = clock ?? Stopwatch.StartNew();
        election.Acquired += e => Add(e);
        election.Lost += e => Add(e);
    }

    public IReadOnlyList<object> Events
    {
        get
        {
            lock (_all)
            {
                return _all.Select(e => e.Event).ToList();
            }
        }
    }

    public async Task<(LeadershipAcquired Event, TimeSpan At)> NextAcquiredAsync() => await NextAsync<LeadershipAcquired>();

    public async Task<(LeadershipLost Event, TimeSpan At)> NextLostAsync() => await NextAsync<LeadershipLost>();

    /// <summary>Waits for the next event of type <typeparamref name="T"/>, skipping others.</summary>
    public async Task<(T Event, TimeSpan At)> NextAsync<T>()
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            (object e, TimeSpan at) = await _events.Reader.ReadAsync(timeout.Token);
            if (e is T typed)
            {
                return (typed, at);
            }
        }
    }

    private void Add(object e)
    {
        var entry = (e, _clock.Elapsed);
        lock (_all)
        {
            _all.Add(entry);
        }

        _events.Writer.TryWrite(entry);
    }
}
