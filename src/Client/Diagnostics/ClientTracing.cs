using System.Diagnostics;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// One span per request on <see cref="ZooKeeperClientDiagnostics.ActivitySourceName"/>: kind Client, named
/// "zookeeper {operation}", parented to the caller's <see cref="Activity.Current"/>, with the path, the server that
/// answered and, on failure, status Error and <c>error.type</c>. Nothing is allocated unless a listener samples the span.
/// </summary>
/// <remarks>
/// The span lives in <see cref="Call.Span"/> and is stopped exactly once by whoever detaches it first: the receive loop
/// when the reply arrives (<see cref="Detach"/> before the reply completes the caller, so no one else touches it), the
/// connection when the request is lost with it, or a continuation of the call's task for everything else (cancelled,
/// timed out, failed before it was written). Starting and stopping never change the caller's or the loop's
/// <see cref="Activity.Current"/>.
/// </remarks>
internal static class ClientTracing
{
    public static readonly ActivitySource Source = new(ZooKeeperClientDiagnostics.ActivitySourceName, typeof(ClientTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span of <paramref name="call"/> if a listener wants it. Call before the call is queued.</summary>
    public static void Start<T>(Call<T> call)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        Activity? caller = Activity.Current;
        Activity? span = Source.StartActivity(TelemetryNames.SpanNameOf(call.OpCode), ActivityKind.Client);
        if (span is null)
        {
            return;
        }

        // StartActivity made the span current in the caller's flow; the caller's next request is not its child.
        Activity.Current = caller;
        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryNames.OperationName, Protocol.OpNames.Of(call.OpCode));
            if (call.Path is { } path)
            {
                span.SetTag(TelemetryNames.NodePath, path);
            }
        }

        call.Span = span;
        call.Task.ContinueWith(static (task, state) => OnCompleted(task, (Call)state!), call, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Takes the span out of the call: from here only the caller of this method stops it.</summary>
    public static Activity? Detach(Call call) => call.Span is null ? null : Interlocked.Exchange(ref call.Span, null);

    /// <summary>The reply arrived from <paramref name="server"/>, completing the call with <paramref name="error"/>.</summary>
    public static void Replied(Activity? span, ZooKeeperErrorCode error, HostEndpoint server)
    {
        if (span is not null)
        {
            string? errorType = TelemetryNames.ErrorTypeOf(error);
            Stop(span, errorType, errorType, server);
        }
    }

    /// <summary>The call failed with <paramref name="failure"/> (after it was sent to <paramref name="server"/>, when known).</summary>
    public static void Failed(Activity? span, Exception failure, HostEndpoint? server)
    {
        if (span is not null)
        {
            Stop(span, TelemetryNames.ErrorTypeOf(failure), failure.Message, server);
        }
    }

    private static void OnCompleted(Task task, Call call)
    {
        if (Detach(call) is not { } span)
        {
            return;
        }

        if (task.IsCompletedSuccessfully)
        {
            Stop(span, null, null, null);
            return;
        }

        Exception failure = task.IsCanceled ? new TaskCanceledException(task) : task.Exception!.GetBaseException();
        Stop(span, TelemetryNames.ErrorTypeOf(failure), failure.Message, null);
    }

    private static void Stop(Activity span, string? errorType, string? description, HostEndpoint? server)
    {
        if (server is { } s)
        {
            span.SetTag(TelemetryNames.ServerAddress, s.Host);
            span.SetTag(TelemetryNames.ServerPort, s.Port);
        }

        if (errorType is not null)
        {
            span.SetTag(TelemetryNames.ErrorType, errorType);
            span.SetStatus(ActivityStatusCode.Error, description);
        }

        // Stop makes the span's parent current; on the receive loop (or a continuation) that would leak into what runs next.
        Activity? current = Activity.Current;
        span.Stop();
        if (!ReferenceEquals(Activity.Current, current))
        {
            Activity.Current = current;
        }
    }
}
