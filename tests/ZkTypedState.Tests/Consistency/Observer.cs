using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Consistency;

/// <summary>What the app had heard on <see cref="ZNodeRuntime.SessionChanged"/> at some moment.</summary>
/// <param name="Seq">Session events heard so far.</param>
/// <param name="Up">The last one heard was Established or Reconnected.</param>
/// <param name="Epoch">The epoch of the last Established/Reconnected heard.</param>
/// <param name="LostEpoch">The epoch of the last Lost heard (0: none).</param>
internal sealed record AppView(int Seq, bool Up, long Epoch, long LostEpoch);

/// <summary>One observation of a bound value, with what the app had heard just before and just after reading it.</summary>
internal sealed record Observation(string Source, string Path, ZNodeSnapshot<Counter> Snapshot, AppView Before, AppView After);

/// <summary>
/// Records what the bound values serve: a polling reader on its own task (every change of snapshot) and every
/// notification on the runtime's stream; checks the session handler's guarantees at the moment each event is heard.
/// </summary>
internal sealed class Observer
{
    private readonly IReadOnlyList<IZNode<Counter>> _nodes;
    private readonly List<Observation> _polled = [];
    private readonly List<Observation> _notified = [];
    private readonly List<string> _violations = [];
    private volatile AppView _view = new(0, false, 0, 0);

    public Observer(ZNodeRuntime runtime, IReadOnlyList<IZNode<Counter>> nodes)
    {
        _nodes = nodes;

        // Created after the host started: the startup sync (which waits for the families' discovery, so for the
        // session) has already delivered Established, and no fault has been injected yet.
        if (runtime.Session.IsEstablished)
        {
            _view = new AppView(0, true, runtime.Session.Epoch, 0);
        }

        runtime.SessionChanged += OnSession;
        foreach (IZNode<Counter> node in nodes)
        {
            node.Changed += c => Notified("changed", c.Path, c.Current);
            node.Signaled += s => Notified($"signal {s.Kind}", s.Path, s.Current);
        }
    }

    /// <summary>Everything observed so far: the reader's samples, then the stream's notifications.</summary>
    public IReadOnlyList<Observation> All
    {
        get
        {
            lock (_polled)
            {
                lock (_notified)
                {
                    return [.. _polled, .. _notified];
                }
            }
        }
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_violations)
            {
                return [.. _violations];
            }
        }
    }

    public int SessionEvents => _view.Seq;

    public int Losses { get; private set; }

    public int Reconnects { get; private set; }

    /// <summary>Polls every node until <paramref name="stop"/>, keeping each new snapshot.</summary>
    public async Task PollAsync(CancellationToken stop)
    {
        var last = new ZNodeSnapshot<Counter>?[_nodes.Count];
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < _nodes.Count; i++)
            {
                AppView before = _view;
                ZNodeSnapshot<Counter> current = _nodes[i].Current;
                AppView after = _view;
                if (!ReferenceEquals(current, last[i]))
                {
                    last[i] = current;
                    lock (_polled)
                    {
                        _polled.Add(new Observation("poll", _nodes[i].Path, current, before, after));
                    }
                }
            }

            // Paces the sampling only; nothing waits on it.
            await Task.Delay(2, CancellationToken.None);
        }
    }

    // Runs on the runtime's executor, like every notification below: the view is exact there.
    private void OnSession(SessionEvent e)
    {
        AppView view = _view;
        switch (e.Kind)
        {
            case SessionEventKind.Established or SessionEventKind.Reconnected:
                Violate(_nodes.Where(n => n.Status == ZNodeStatus.Fresh), $"{e.Kind} (epoch {e.Epoch}) heard while already Fresh");
                if (e.Kind == SessionEventKind.Reconnected)
                {
                    Reconnects++;
                }

                _view = new AppView(view.Seq + 1, true, e.Epoch, view.LostEpoch);
                break;
            case SessionEventKind.Disconnected:
                Violate(_nodes.Where(n => n.Status == ZNodeStatus.Fresh), "Disconnected heard while still Fresh");
                _view = view with { Seq = view.Seq + 1, Up = false };
                break;
            case SessionEventKind.Lost:
                Losses++;
                Violate(_nodes.Where(n => n.Status != ZNodeStatus.Invalidated), $"Lost (epoch {e.Epoch}) heard while not Invalidated");
                _view = view with { Seq = view.Seq + 1, Up = false, LostEpoch = e.Epoch };
                break;
        }
    }

    private void Notified(string source, string path, ZNodeSnapshot<Counter> snapshot)
    {
        AppView view = _view;
        lock (_notified)
        {
            _notified.Add(new Observation(source, path, snapshot, view, view));
        }
    }

    private void Violate(IEnumerable<IZNode<Counter>> offenders, string what)
    {
        foreach (IZNode<Counter> node in offenders)
        {
            lock (_violations)
            {
                _violations.Add($"{what}: {node.Path} {node.Status}");
            }
        }
    }
}
