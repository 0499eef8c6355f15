namespace ZkTypedState;

/// <summary>
/// Starts a background loop without the caller's <see cref="ExecutionContext"/>: a runtime resolved inside an app's
/// request must not carry that request's <c>Activity.Current</c> (or logging scopes) into loops that outlive it.
/// </summary>
internal static class BackgroundTask
{
    public static Task Run(Func<Task> loop)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return Task.Run(loop);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(loop);
        }
    }
}
