using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ZkTypedState.Recipes;

/// <summary>Registration of named leader elections with their settings bound from configuration.</summary>
public static class LeaderElectionConfigurationExtensions
{
    /// <summary>
    /// Registers a named election as <see cref="LeaderElectionServiceCollectionExtensions.AddLeaderElection(IServiceCollection, string, Action{LeaderElectionOptions})"/>
    /// does, with <see cref="LeaderElectionOptions"/> bound from <paramref name="section"/>: <c>ElectionPath</c>
    /// (required), <c>ParticipantId</c>, <c>DisconnectPolicy</c>, <c>CreateParentsAsContainers</c>, <c>DefaultAcl</c>,
    /// <c>CloseTimeout</c> and <c>MaxRetryDelay</c> (<c>"00:00:05"</c>). The binding is generated code (trim- and
    /// AOT-safe). A key that is no setting (a typo) or a value that cannot be converted fails host start with a message
    /// naming it, as does every invalid setting.
    /// </summary>
    /// <remarks>
    /// The election reads its settings once, when it is created (at host start): a configuration reload after that does
    /// not change a running election (restart to apply).
    /// </remarks>
    /// <example><code>
    /// // appsettings.json: { "Elections": { "Billing": { "ElectionPath": "/services/billing/leader",
    /// //   "DisconnectPolicy": "EndLeadership", "CloseTimeout": "00:00:05" } } }
    /// builder.Services.AddLeaderElection("billing", builder.Configuration.GetSection("Elections:Billing"),
    ///     o => o.ParticipantId = Environment.MachineName);
    /// </code></example>
    /// <param name="services">The services.</param>
    /// <param name="name">The registration name (the service key); unique per app.</param>
    /// <param name="section">The configuration section holding the election's settings.</param>
    /// <param name="configure">Adjusts the bound settings; runs after the binding, so code wins. May be null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddLeaderElection(this IServiceCollection services, string name, IConfiguration section, Action<LeaderElectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddLeaderElection(name, o =>
        {
            LeaderElectionOptionsBinding.Bind(section, o, name);
            configure?.Invoke(o);
        });
    }
}
