using System.Threading.Channels;

namespace ZkTypedState.Tests.Support;

/// <summary>Records a node's Changed and Signaled events so tests can await them.</summary>
public sealed class NodeEvents<T>
{
    private readonly Channel<ZNodeChange<T>> _changes = Channel.CreateUnbounded<ZNodeChange<T>>();
    private readonly Channel<ZNodeSignal<T>> _signals = Channel.CreateUnbounded<ZNodeSignal<T>>();
    private int _changeCount;

    public NodeEvents(IZNode<T> node)
    {
        node.Changed += c =>
        {
            Interlocked.Increment(ref _changeCount);
            _changes.Writer.TryWrite(c);
        };
        node.Signaled += s => _signals.Writer.TryWrite(s);
    }

    public int ChangeCount => Volatile.Read(ref _changeCount);

    public async Task<ZNodeChange<T>> NextChangeAsync()
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        return await _changes.Reader.ReadAsync(timeout.Token);
    }

    public async Task<ZNodeSignal<T>> NextSignalAsync(ZNodeSignalKind kind)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            ZNodeSignal<T> signal = await _signals.Reader.ReadAsync(timeout.Token);
            if (signal.Kind == kind)
            {
                return signal;
            }
        }
    }

    /// <summary>Waits until the node's snapshot satisfies <paramref name="condition"/>, checking at every event.</summary>
    public static async Task<ZNodeSnapshot<T>> WaitUntilAsync(IZNode<T> node, Func<ZNodeSnapshot<T>, bool> condition)
    {
        var signal = new SemaphoreSlim(0);
        void Wake(object _) => signal.Release();
        Action<ZNodeChange<T>> onChange = Wake;
        Action<ZNodeSignal<T>> onSignal = Wake;
        node.Changed += onChange;
        node.Signaled += onSignal;
        try
        {
            using var timeout = new CancellationTokenSource(Timeouts.Event);
            while (!condition(node.Current))
            {
                await signal.WaitAsync(timeout.Token);
            }

            return node.Current;
        }
        finally
        {
            node.Changed -= onChange;
            node.Signaled -= onSignal;
        }
    }
}
