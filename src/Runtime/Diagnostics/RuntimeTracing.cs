using System.Diagnostics;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The runtime's spans on <see cref="ZkTypedStateDiagnostics.ActivitySourceName"/>: one per load or re-read of a bound
/// value, named "zktypedstate load" (first read in a session) or "zktypedstate reload" (a watch fired, or a reconnect
/// found it changed), with the node's path as the attribute <c>zookeeper.node.path</c>. Each is the root of its own
/// trace: a re-read runs on a background loop long after whatever bound the node, so it is never parented to an
/// ambient app activity. The client's request spans it issues are its children.
/// </summary>
internal static class RuntimeTracing
{
    public static readonly ActivitySource Source = new(ZkTypedStateDiagnostics.ActivitySourceName, typeof(RuntimeTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Clears an ambient activity the calling background loop inherited from whoever started it (an app request that
    /// bound a node, say). Call only from an async loop: the change stays within that loop's flow.
    /// </summary>
    public static void LeaveAmbient()
    {
        if (Activity.Current is not null)
        {
            Activity.Current = null;
        }
    }

    /// <summary>Starts a load span (a root: see <see cref="LeaveAmbient"/>) if a listener wants it.</summary>
    public static Activity? StartRead(string path, bool reload)
    {
        LeaveAmbient();
        Activity? span = Source.StartActivity(reload ? "zktypedstate reload" : "zktypedstate load", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("zookeeper.node.path", path);
        }

        return span;
    }

    /// <summary>Starts a family listing span (a root, like the loads) if a listener wants it.</summary>
    public static Activity? StartList(string path)
    {
        LeaveAmbient();
        Activity? span = Source.StartActivity("zktypedstate list", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("zookeeper.node.path", path);
        }

        return span;
    }

    /// <summary>Marks the span failed; returns false, for use as an exception filter that lets the exception pass.</summary>
    public static bool Failed(Activity? span, Exception failure)
    {
        if (span is not null)
        {
            span.SetTag("error.type", failure is KeeperException keeper ? keeper.Code.ToString() : failure.GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        return false;
    }
}
