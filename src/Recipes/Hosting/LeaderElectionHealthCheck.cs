using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkTypedState.Recipes;

/// <summary>
/// Reports one election: healthy while leading or following (with the role, the term's token and the node in the data),
/// the registration's failure status (default: degraded) while not participating.
/// </summary>
internal sealed class LeaderElectionHealthCheck(ILeaderElection election) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        LeadershipRole role = election.Role;
        var data = new Dictionary<string, object>
        {
            ["role"] = role.ToString().ToLowerInvariant(),
            ["electionPath"] = election.ElectionPath,
            ["participantId"] = election.ParticipantId,
        };
        if (election.CurrentTerm is { } term)
        {
            data["fencingToken"] = term.FencingToken;
            data["node"] = term.NodePath;
            data["since"] = term.AcquiredAt;
        }

        return Task.FromResult(role switch
        {
            LeadershipRole.Leading => HealthCheckResult.Healthy($"Leading election '{election.Name}'.", data),
            LeadershipRole.Following => HealthCheckResult.Healthy($"Following in election '{election.Name}'.", data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"Not participating in election '{election.Name}' (not started, stopped, or waiting for a session).", data: data),
        });
    }
}
