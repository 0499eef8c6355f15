using System.Diagnostics;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>The read loop's reads as traced loads (see <see cref="RuntimeTracing"/>).</content>
internal sealed partial class ZNodeValue<T>
{
    /// <summary>
    /// One load or re-read: without a listener, the plain read (no span, no extra state machine); with one, inside a
    /// root span that parents the client's getData/exists spans.
    /// </summary>
    private Task<ObservedNode> ReadTracedAsync(ZooKeeperClient client, Action<WatchedEvent> watcher)
    {
        // The loop may have been started by Bind on an app request's flow: its reads are no part of that request.
        RuntimeTracing.LeaveAmbient();
        return RuntimeTracing.Source.HasListeners() ? ReadInSpanAsync(client, watcher) : ReadAndWatchAsync(client, watcher);
    }

    private async Task<ObservedNode> ReadInSpanAsync(ZooKeeperClient client, Action<WatchedEvent> watcher)
    {
        bool reload;
        lock (_gate)
        {
            reload = _machine.IsLoaded;
        }

        using Activity? span = RuntimeTracing.StartRead(Path, reload);
        try
        {
            return await ReadAndWatchAsync(client, watcher).ConfigureAwait(false);
        }
        catch (Exception ex) when (RuntimeTracing.Failed(span, ex))
        {
            throw;
        }
    }
}
