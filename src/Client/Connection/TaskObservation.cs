namespace ZkTypedState.Client.Connection;

/// <summary>Marks a task's failure as observed, for tasks nobody may await (a timed-out close, a fire-and-forget packet).</summary>
internal static class TaskObservation
{
    public static void Observe(Task task) =>
        task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
