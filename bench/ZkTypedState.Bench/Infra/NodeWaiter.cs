namespace ZkTypedState.Bench.Infra;

/// <summary>
/// Waits until every node of a set satisfies a condition, checked on each of their Changed/Signaled events (and once
/// when armed), and records when the last one first did — the moment the client under test held them all.
/// </summary>
public sealed class NodeWaiter<T> : IDisposable
{
    private readonly IReadOnlyList<IZNode<T>> _nodes;
    private readonly Func<ZNodeSnapshot<T>, bool> _condition;
    private readonly Action<ZNodeChange<T>>[] _onChange;
    private readonly Action<ZNodeSignal<T>>[] _onSignal;
    private readonly bool[] _satisfied;
    private readonly object _gate = new();
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    public NodeWaiter(IReadOnlyList<IZNode<T>> nodes, Func<ZNodeSnapshot<T>, bool> condition)
    {
        _nodes = nodes;
        _condition = condition;
        _satisfied = new bool[nodes.Count];
        _remaining = nodes.Count;
        _onChange = new Action<ZNodeChange<T>>[nodes.Count];
        _onSignal = new Action<ZNodeSignal<T>>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            int index = i;
            _onChange[i] = _ => Check(index);
            _onSignal[i] = _ => Check(index);
            nodes[i].Changed += _onChange[i];
            nodes[i].Signaled += _onSignal[i];
        }

        if (nodes.Count == 0)
        {
            _done.TrySetResult(Clock.Now);
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            Check(i);
        }
    }

    /// <summary>Completes with the timestamp at which the last node first satisfied the condition.</summary>
    public Task<long> Completed => _done.Task;

    /// <summary>How many nodes have satisfied the condition so far.</summary>
    public int SatisfiedCount
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count - _remaining;
            }
        }
    }

    private void Check(int index)
    {
        if (!_condition(_nodes[index].Current))
        {
            return;
        }

        long now = Clock.Now;
        lock (_gate)
        {
            if (_satisfied[index])
            {
                return;
            }

            _satisfied[index] = true;
            if (--_remaining == 0)
            {
                _done.TrySetResult(now);
            }
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _nodes.Count; i++)
        {
            _nodes[i].Changed -= _onChange[i];
            _nodes[i].Signaled -= _onSignal[i];
        }
    }
}
