namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// Starts a background loop without the caller's <see cref="ExecutionContext"/>. A client created inside an app's request
/// would otherwise carry that request's <c>Activity.Current</c> (and every other AsyncLocal, logging scopes included) into
/// loops that outlive it: spans of requests issued from watchers would become children of a long-finished request.
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
