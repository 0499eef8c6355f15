using System.Diagnostics;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>Member listings as traced spans ("zktypedstate list", a root like the loads: see <see cref="RuntimeTracing"/>).</content>
internal sealed partial class ZNodeFamily<T>
{
    private Task<IReadOnlyList<string>> ListTracedAsync(ZooKeeperClient client, string path, Action<WatchedEvent> watcher)
    {
        // The loop may have been started on an app request's flow (a family resolved there): its listings are not part of it.
        RuntimeTracing.LeaveAmbient();
        return RuntimeTracing.Source.HasListeners() ? ListInSpanAsync(client, path, watcher) : ListAsync(client, path, watcher);
    }

    private async Task<IReadOnlyList<string>> ListInSpanAsync(ZooKeeperClient client, string path, Action<WatchedEvent> watcher)
    {
        using Activity? span = RuntimeTracing.StartList(path);
        try
        {
            return await ListAsync(client, path, watcher).ConfigureAwait(false);
        }
        catch (Exception ex) when (RuntimeTracing.Failed(span, ex))
        {
            throw;
        }
    }
}
