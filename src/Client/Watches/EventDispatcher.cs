using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Diagnostics;

namespace ZkTypedState.Client.Watches;

/// <summary>
/// Runs user callbacks (watchers, state-change handlers) one at a time, in the order the client produced
/// them, on a task of its own. The receive loop only enqueues, so a slow or blocking watcher delays other
/// callbacks but never replies, pings or the detection of a dead connection.
/// </summary>
internal sealed class EventDispatcher : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = BackgroundTask.Run(RunAsync);
    }

    /// <summary>Queues a callback; ignored after disposal.</summary>
    public void Post(Action callback) => _queue.Writer.TryWrite(callback);

    /// <summary>Queues one event for each of its watchers.</summary>
    public void Post(IReadOnlyList<Action<WatchedEvent>> watchers, WatchedEvent watchedEvent)
    {
        if (watchers.Count == 0)
        {
            return;
        }

        _queue.Writer.TryWrite(() =>
        {
            foreach (Action<WatchedEvent> watcher in watchers)
            {
                Invoke(watcher, watchedEvent);
            }
        });
    }

    private void Invoke(Action<WatchedEvent> watcher, WatchedEvent watchedEvent)
    {
        try
        {
            watcher(watchedEvent);
        }
        catch (Exception ex)
        {
            Log.WatcherFailed(_logger, watchedEvent.Type, watchedEvent.Path, ex);
        }
    }

    private async Task RunAsync()
    {
        await foreach (Action callback in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                callback();
            }
            catch (Exception ex)
            {
                Log.CallbackFailed(_logger, ex);
            }
        }
    }

    /// <summary>Delivers what is already queued, then stops. A callback that never returns is abandoned after <paramref name="drainTimeout"/>.</summary>
    public async ValueTask DisposeAsync(TimeSpan drainTimeout)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DispatcherDrainTimedOut(_logger, drainTimeout);
        }
    }

    public ValueTask DisposeAsync() => DisposeAsync(TimeSpan.FromSeconds(5));
}
