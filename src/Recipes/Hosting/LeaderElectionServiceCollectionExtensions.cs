using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ZkTypedState.Recipes;

/// <summary>Registration of named leader elections as hosted services.</summary>
public static class LeaderElectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers a named election over the app's <see cref="ZooKeeperSession"/> (from <c>AddZkTypedState</c>): a keyed
    /// singleton <see cref="LeaderElection"/> and <see cref="ILeaderElection"/> (key <paramref name="name"/>), and a hosted
    /// service that joins at start and leaves at stop (deleting the node, so the next participant leads at once).
    /// Several elections with different names can be registered in one app.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddZkTypedState(o => o.ConnectionString = "zk1:2181");
    /// builder.Services.AddLeaderElection("billing", o =>
    /// {
    ///     o.ElectionPath = "/services/billing/leader";
    ///     o.ParticipantId = Environment.MachineName;
    /// });
    /// builder.Services.AddHealthChecks().AddLeaderElection("billing");
    /// // then: public Worker([FromKeyedServices("billing")] ILeaderElection election)
    /// </code></example>
    /// <param name="services">The services.</param>
    /// <param name="name">The registration name (the service key); unique per app.</param>
    /// <param name="configure">Sets <see cref="LeaderElectionOptions.ElectionPath"/> (required) and the other settings.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddLeaderElection(this IServiceCollection services, string name, Action<LeaderElectionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(Registration) && d.ImplementationInstance is Registration r && r.Name == name))
        {
            throw new ArgumentException($"A leader election named '{name}' is already registered; each AddLeaderElection needs its own name.", nameof(name));
        }

        services.AddSingleton(new Registration(name));
        services.AddOptions<LeaderElectionOptions>(name).Configure(configure);
        services.AddKeyedSingleton(name, (sp, _) => Create(sp, name));
        services.AddKeyedSingleton<ILeaderElection>(name, (sp, key) => sp.GetRequiredKeyedService<LeaderElection>(key));
        services.AddSingleton<IHostedService>(sp => new LeaderElectionHostedService(
            sp.GetRequiredKeyedService<LeaderElection>(name),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<LeaderElection>() ?? NullLogger.Instance));
        return services;
    }

    /// <summary>
    /// Adds a health check for the election registered as <paramref name="electionName"/>: healthy while leading or
    /// following (the role in the data), <paramref name="notParticipatingStatus"/> while not participating.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="electionName">The name given to <see cref="AddLeaderElection(IServiceCollection, string, Action{LeaderElectionOptions})"/>.</param>
    /// <param name="notParticipatingStatus">The status reported while the election has no node (not started, stopped, between sessions). Default: degraded.</param>
    /// <param name="tags">Tags of the check.</param>
    public static IHealthChecksBuilder AddLeaderElection(this IHealthChecksBuilder builder, string electionName, HealthStatus notParticipatingStatus = HealthStatus.Degraded, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(electionName);
        return builder.Add(new HealthCheckRegistration(
            "leader-election:" + electionName,
            sp => new LeaderElectionHealthCheck(sp.GetRequiredKeyedService<ILeaderElection>(electionName)),
            notParticipatingStatus,
            tags));
    }

    private static LeaderElection Create(IServiceProvider services, string name)
    {
        LeaderElectionOptions options = services.GetRequiredService<IOptionsMonitor<LeaderElectionOptions>>().Get(name);
        if (string.IsNullOrWhiteSpace(options.ElectionPath))
        {
            throw new OptionsValidationException(name, typeof(LeaderElectionOptions), [$"AddLeaderElection(\"{name}\"): ElectionPath is not set (e.g. o.ElectionPath = \"/services/{name}/leader\")."]);
        }

        ZooKeeperSession session = services.GetService<ZooKeeperSession>()
            ?? throw new InvalidOperationException($"AddLeaderElection(\"{name}\") needs the app's ZooKeeperSession: call services.AddZkTypedState(...) too.");
        try
        {
            return new LeaderElection(session, options.ElectionPath, name, options, services.GetService<ILoggerFactory>());
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException(name, typeof(LeaderElectionOptions), [$"AddLeaderElection(\"{name}\"): {ex.Message}"]);
        }
    }

    /// <summary>Marks a registered name, so a duplicate is refused at registration.</summary>
    private sealed record Registration(string Name);
}
