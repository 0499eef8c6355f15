using System.Threading.Channels;
using ZkTypedState.Client;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>A watcher that records its events so a test can await them.</summary>
public sealed class EventRecorder
{
    private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>();
    private int _count;

    public EventRecorder() => Watcher = e =>
    {
        Interlocked.Increment(ref _count);
        _events.Writer.TryWrite(e);
    };

    /// <summary>The watcher delegate (one instance, so the client sees one watcher).</summary>
    public Action<WatchedEvent> Watcher { get; }

    public int Count => Volatile.Read(ref _count);

    public async Task<WatchedEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        return await _events.Reader.ReadAsync(timeout.Token);
    }

    public bool TryTake(out WatchedEvent? watchedEvent) => _events.Reader.TryRead(out watchedEvent);

    /// <summary>
    /// Proves every notification the server sent this client so far has been delivered: ZooKeeper sends a
    /// connection's notifications in order and the client dispatches them in order, so once an event for a fresh
    /// sentinel node arrives, any event caused by an earlier write has arrived too.
    /// </summary>
    public static async Task FlushAsync(ZooKeeperClient client)
    {
        string sentinel = ZooKeeperServerFixture.UniquePath("sentinel");
        var recorder = new EventRecorder();
        await client.ExistsAsync(sentinel, recorder.Watcher);
        await client.CreateAsync(sentinel);
        WatchedEvent created = await recorder.NextAsync();
        Assert.Equal(WatchEventType.NodeCreated, created.Type);
        await client.DeleteAsync(sentinel);
    }
}
