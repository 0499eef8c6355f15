using ZkTypedState.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary><c>AddZooKeeper(...)</c>: ZooKeeper subtrees as configuration keys, reloaded live.</summary>
public static class ZooKeeperConfigurationExtensions
{
    /// <summary>
    /// Adds the subtree at <paramref name="path"/> of the ensemble at <paramref name="connectionString"/>: <c>/app/Rate/USD</c>
    /// becomes the key <c>Rate:USD</c> (under <paramref name="keyPrefix"/> when given). Required unless <paramref name="optional"/>.
    /// </summary>
    /// <example><code>builder.Configuration.AddZooKeeper("zk1:2181,zk2:2181", "/myapp/config");</code></example>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, string connectionString, string path, string? keyPrefix = null, bool optional = false) =>
        builder.AddZooKeeper(o =>
        {
            o.ConnectionString = connectionString;
            o.Optional = optional;
            o.AddSubtree(path, keyPrefix);
        });

    /// <summary>Adds a provider configured in code (connection, subtrees, JSON flattening, loss policy, startup timeout, …).</summary>
    /// <exception cref="ArgumentException">A setting is invalid (named in the message).</exception>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, Action<ZooKeeperConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ZooKeeperConfigurationOptions();
        configure(options);
        return builder.Add(new ZooKeeperConfigurationSource(options));
    }

    /// <summary>
    /// Adds a provider whose settings are read from <paramref name="section"/> (e.g. the <c>ZooKeeperConfiguration</c>
    /// section of appsettings.json built so far): <c>ConnectionString</c>, <c>Path</c> (+ <c>KeyPrefix</c>) or
    /// <c>Subtrees</c>, <c>Optional</c>, <c>StartupTimeout</c>, <c>FlattenJson</c>, <c>SessionLossPolicy</c>,
    /// <c>Credentials</c> (<c>Scheme</c> + <c>Secret</c>, or <c>User</c> + <c>Password</c>), …; then
    /// <paramref name="configure"/> may adjust them (e.g. set a logger factory).
    /// </summary>
    /// <exception cref="FormatException">A value does not parse (the key is named).</exception>
    /// <exception cref="ArgumentException">A setting is invalid (named in the message).</exception>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, IConfiguration section, Action<ZooKeeperConfigurationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddZooKeeper(o =>
        {
            ZooKeeperConfigurationSectionReader.Read(section, o);
            configure?.Invoke(o);
        });
    }

    /// <summary>The ZooKeeper providers of a built configuration (for their <see cref="ZooKeeperConfigurationProvider.Status"/>).</summary>
    public static IEnumerable<ZooKeeperConfigurationProvider> GetZooKeeperProviders(this IConfigurationRoot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Providers.OfType<ZooKeeperConfigurationProvider>();
    }
}
