namespace ZkTypedState.Tests.Support;

/// <summary>
/// Records a runtime's <see cref="ZNodeRuntime.SessionChanged"/> events from the moment it is created, so a test can
/// await the first event of a kind (or matching a condition) whether it came before or after the await began.
/// Holds every event until disposed: a test sees a handful.
/// </summary>
internal sealed class SessionEvents : IDisposable
{
    private readonly ZNodeRuntime runtime;
    private readonly object sync = new();
    private readonly List<SessionEvent> seen = [];
    private readonly List<(Func<SessionEvent, bool> Condition, TaskCompletionSource<SessionEvent> Waiter)> waiters = [];

    public SessionEvents(ZNodeRuntime runtime)
    {
        this.runtime = runtime;
        runtime.SessionChanged += OnSessionChanged;
    }

    /// <summary>The first event of <paramref name="kind"/> since this recorder was created; fails after <see cref="Timeouts.Event"/>.</summary>
    public Task<SessionEvent> FirstAsync(SessionEventKind kind) => FirstAsync(e => e.Kind == kind);

    /// <summary>The first event meeting <paramref name="condition"/> since this recorder was created; fails after <see cref="Timeouts.Event"/>.</summary>
    public Task<SessionEvent> FirstAsync(Func<SessionEvent, bool> condition)
    {
        lock (sync)
        {
            if (seen.Find(e => condition(e)) is { } past)
            {
                return Task.FromResult(past);
            }

            var waiter = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((condition, waiter));
            return waiter.Task.WaitAsync(Timeouts.Event);
        }
    }

    public void Dispose() => runtime.SessionChanged -= OnSessionChanged;

    private void OnSessionChanged(SessionEvent e)
    {
        lock (sync)
        {
            seen.Add(e);
            waiters.RemoveAll(w => w.Condition(e) && w.Waiter.TrySetResult(e));
        }
    }
}
