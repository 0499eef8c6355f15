using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Diagnostics;

namespace ZkTypedState;

/// <summary>
/// Runs queued callbacks one at a time, in order, on a task of its own: the serialized executor that keeps
/// connection events and watch events from racing (the lesson of Curator's LeaderLatch double-leader bugs).
/// </summary>
public sealed class SerialExecutor : IAsyncDisposable
{
    private readonly Channel<Func<Task>> _queue = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger? _logger;
    private readonly Task _loop;

    /// <summary>Starts the executor.</summary>
    public SerialExecutor(ILogger? logger = null)
    {
        _logger = logger;
        _loop = BackgroundTask.Run(RunAsync);
    }

    /// <summary>Queues a synchronous callback. Returns false after disposal.</summary>
    public bool Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return _queue.Writer.TryWrite(() =>
        {
            action();
            return Task.CompletedTask;
        });
    }

    /// <summary>Queues an asynchronous callback; the next one starts only when it completes.</summary>
    public bool Post(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return _queue.Writer.TryWrite(action);
    }

    /// <summary>Runs <paramref name="action"/> on the executor and completes with it.</summary>
    public Task InvokeAsync(Func<Task> action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool queued = Post(async () =>
        {
            try
            {
                await action().ConfigureAwait(false);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        if (!queued)
        {
            done.TrySetException(new ObjectDisposedException(nameof(SerialExecutor)));
        }

        return done.Task;
    }

    private async Task RunAsync()
    {
        await foreach (Func<Task> action in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await action().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger?.LogError(ex, "A serialized callback threw.");
            }
        }
    }

    /// <summary>Runs what is queued, then stops (waiting at most 5 s for a stuck callback).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger?.LogWarning("A serialized callback did not finish within 5 s of disposal.");
        }
    }
}
