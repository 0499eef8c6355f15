using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ZkTypedState.Recipes;

/// <summary>
/// Joins one registered election at host start and leaves it at host stop: the election node is deleted (within
/// <see cref="LeaderElectionOptions.CloseTimeout"/>) so the next participant leads at once instead of after the session timeout.
/// </summary>
internal sealed class LeaderElectionHostedService(LeaderElection election, ILogger logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await election.StartAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Leader election '{Name}' joined at {ElectionPath} as '{ParticipantId}'.", election.Name, election.ElectionPath, election.ParticipantId);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Dispose rather than step down: the host is going away, and disposing also stops every background task.
        // It is bounded by CloseTimeout; the host's own token cannot shorten a deletion already sent.
        await election.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Leader election '{Name}' left.", election.Name);
    }
}
