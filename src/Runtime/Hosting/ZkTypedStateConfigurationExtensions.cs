using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>Registration of the typed-state runtime with its settings bound from configuration.</summary>
public static class ZkTypedStateConfigurationExtensions
{
    /// <summary>
    /// Adds the runtime (as <see cref="ZkTypedStateServiceCollectionExtensions.AddZkTypedState(IServiceCollection, Action{ZkTypedStateOptions}?)"/>)
    /// with <see cref="ZkTypedStateOptions"/> bound from <paramref name="section"/>: <c>ConnectionString</c>,
    /// <c>SessionTimeout</c> (<c>"00:00:10"</c>), <c>Credentials</c> (<see cref="ZooKeeperCredential"/> entries),
    /// <c>DefaultAcl</c>, <c>Tls</c> (its text settings) and every other scalar setting. The binding is generated code
    /// (trim- and AOT-safe). Every setting, bound or not, is validated at host start (<c>ValidateOnStart</c>), so a bad or
    /// incomplete entry fails startup with a message naming it.
    /// </summary>
    /// <remarks>
    /// The session reads its settings once, when it is created: a configuration reload after that does not reconnect or
    /// change the credentials of a running session (restart to apply), although <c>IOptionsMonitor&lt;ZkTypedStateOptions&gt;</c>
    /// shows the reloaded values. <see cref="ZkTypedStateOptions.ConfigureClient"/> and certificate objects are code-only.
    /// </remarks>
    /// <example><code>
    /// // appsettings.json: { "ZooKeeper": { "ConnectionString": "zk1:2181,zk2:2181/myapp", "SessionTimeout": "00:00:10",
    /// //   "Credentials": [ { "Scheme": "digest", "User": "app", "Password": "…" } ] } }
    /// builder.Services.AddZkTypedState(builder.Configuration.GetSection("ZooKeeper")).AddGeneratedZNodes();
    /// </code></example>
    /// <param name="services">The services.</param>
    /// <param name="section">The configuration section holding the settings (e.g. <c>configuration.GetSection("ZooKeeper")</c>).</param>
    /// <returns>The builder to bind nodes with.</returns>
    public static ZkTypedStateBuilder AddZkTypedState(this IServiceCollection services, IConfiguration section) =>
        services.AddZkTypedState(section, configure: null);

    /// <summary>
    /// Adds the runtime with <see cref="ZkTypedStateOptions"/> bound from <paramref name="section"/>, then adjusted by
    /// <paramref name="configure"/> (which runs after the binding, so code wins; credentials it adds come after the bound
    /// ones).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The configuration section holding the settings.</param>
    /// <param name="configure">Adjusts the bound settings (e.g. a certificate loaded from a store, <see cref="ZkTypedStateOptions.ConfigureClient"/>); may be null.</param>
    /// <returns>The builder to bind nodes with.</returns>
    public static ZkTypedStateBuilder AddZkTypedState(this IServiceCollection services, IConfiguration section, Action<ZkTypedStateOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        // The change-token source makes IOptionsMonitor follow reloads; the bind itself is generated code (no reflection).
        services.AddSingleton<IOptionsChangeTokenSource<ZkTypedStateOptions>>(new ConfigurationChangeTokenSource<ZkTypedStateOptions>(Options.DefaultName, section));
        services.AddOptions<ZkTypedStateOptions>().Configure(o => ZkTypedStateOptionsBinding.Bind(section, o));
        return services.AddZkTypedState(configure);
    }
}
