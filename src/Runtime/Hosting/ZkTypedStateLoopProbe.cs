using System.Diagnostics;

namespace ZkTypedState;

/// <summary>
/// Watches the runtime's two serialized loops (the notification stream and the session owner's executor) without
/// blocking a health probe: each check posts a beacon to a loop whose previous beacon has run, and reports the loop
/// stalled when a beacon has waited longer than the stall timeout. A long queue is not a stall unless it takes that
/// long; a handler that blocks forever is. One per runtime (a singleton), so beacons outlive single checks.
/// </summary>
internal sealed class ZkTypedStateLoopProbe(ZNodeRuntime runtime)
{
    private readonly object _gate = new();
    private Beacon? _stream;
    private Beacon? _executor;

    public ZNodeRuntime Runtime => runtime;

    public Result Check(TimeSpan stallTimeout)
    {
        if (runtime.IsStopped)
        {
            return new Result(true, null, TimeSpan.Zero);
        }

        lock (_gate)
        {
            if (Overdue(ref _stream, stallTimeout, PostToStream) is { } stream)
            {
                return stream.Stopped ? new Result(true, null, TimeSpan.Zero) : new Result(false, "notification stream", stream.Waiting);
            }

            if (Overdue(ref _executor, stallTimeout, PostToExecutor) is { } executor)
            {
                return executor.Stopped ? new Result(true, null, TimeSpan.Zero) : new Result(false, "session executor", executor.Waiting);
            }
        }

        return new Result(false, null, TimeSpan.Zero);
    }

    /// <summary>Null when the loop is fine (its beacon ran, or has waited less than the timeout); posts a new beacon once the last one ran.</summary>
    private static (bool Stopped, TimeSpan Waiting)? Overdue(ref Beacon? beacon, TimeSpan stallTimeout, Func<Beacon, bool> post)
    {
        if (beacon is { Done: false } pending)
        {
            TimeSpan waiting = Stopwatch.GetElapsedTime(pending.PostedAt);
            return waiting >= stallTimeout ? (false, waiting) : null;
        }

        var next = new Beacon();
        if (!post(next))
        {
            return (true, TimeSpan.Zero);
        }

        beacon = next;
        return null;
    }

    private bool PostToStream(Beacon beacon) => runtime.Notify(beacon.Run);

    private bool PostToExecutor(Beacon beacon)
    {
        Task done = runtime.Session.InvokeAsync(() =>
        {
            beacon.Run();
            return Task.CompletedTask;
        });

        // A disposed executor refuses at once (observed here, so it is no unobserved exception); else it completes when the beacon runs.
        if (done.IsFaulted)
        {
            _ = done.Exception;
            return false;
        }

        return true;
    }

    /// <summary>The outcome of one check: the runtime stopped, or which loop stalled and for how long.</summary>
    public readonly record struct Result(bool Stopped, string? Stalled, TimeSpan StalledFor);

    private sealed class Beacon
    {
        private volatile bool _done;

        public long PostedAt { get; } = Stopwatch.GetTimestamp();

        public bool Done => _done;

        public void Run() => _done = true;
    }
}
