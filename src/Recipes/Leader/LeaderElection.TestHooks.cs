using System.Text;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <content>Test hooks of the election (internal, for the recipes tests).</content>
public sealed partial class LeaderElection
{
    /// <summary>Test hook: makes the state machine take <paramref name="path"/> as its own node, as Curator's CURATOR-696 bug did with a stale path.</summary>
    internal Task AdoptNodeForTestingAsync(string path) => _executor.InvokeAsync(async () =>
    {
        ZooKeeperClient client = await _session.GetConnectedClientAsync(_lifetime.Token).ConfigureAwait(false);
        if (_candidate is { } previous)
        {
            await client.DeleteAsync(previous.Path, -1, _lifetime.Token).ConfigureAwait(false);
        }

        Stat? stat = await client.ExistsAsync(path, null, _lifetime.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _generation);
        _watchedPredecessor = null;
        _candidate = new Candidate(path, LatchNodes.NameOf(path), client, client.SessionId, _session.Epoch, stat?.Czxid ?? 0, LatchNodes.SequenceOf(LatchNodes.NameOf(path)));
        CheckLeadership();
    });

    /// <summary>Test hook: completes once everything queued on the executor so far has run.</summary>
    internal Task FlushForTestingAsync() => _executor.InvokeAsync(() => Task.CompletedTask);

    /// <summary>Test hook: creates whose reply was lost and whose node was found again by its protected prefix.</summary>
    internal int RecoveredCreates => _nodes.RecoveredCreates;

    /// <summary>Test hook: background tasks not yet completed.</summary>
    internal int RunningBackgroundTasks
    {
        get
        {
            lock (_gate)
            {
                return _background.Count(t => !t.IsCompleted);
            }
        }
    }
}
