using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ZkTypedState.Configuration;

/// <summary>
/// Reads <see cref="ZooKeeperConfigurationOptions"/> from a configuration section without reflection (AOT-clean), with
/// an error that names the key for every value that does not parse.
/// </summary>
internal static class ZooKeeperConfigurationSectionReader
{
    public static void Read(IConfiguration section, ZooKeeperConfigurationOptions options)
    {
        string where = section is IConfigurationSection s ? s.Path + ":" : string.Empty;
        options.ConnectionString = section[nameof(options.ConnectionString)] ?? options.ConnectionString;
        options.SessionTimeout = TimeSpanOf(section, where, nameof(options.SessionTimeout)) ?? options.SessionTimeout;
        options.StartupTimeout = TimeSpanOf(section, where, nameof(options.StartupTimeout)) ?? options.StartupTimeout;
        options.ReloadDelay = TimeSpanOf(section, where, nameof(options.ReloadDelay)) ?? options.ReloadDelay;
        options.Optional = BoolOf(section, where, nameof(options.Optional)) ?? options.Optional;
        options.FlattenJson = BoolOf(section, where, nameof(options.FlattenJson)) ?? options.FlattenJson;
        options.TrimTrailingNewlines = BoolOf(section, where, nameof(options.TrimTrailingNewlines)) ?? options.TrimTrailingNewlines;
        options.MaxNodes = IntOf(section, where, nameof(options.MaxNodes)) ?? options.MaxNodes;
        options.MaxConcurrentReads = IntOf(section, where, nameof(options.MaxConcurrentReads)) ?? options.MaxConcurrentReads;
        options.WatchMode = EnumOf<ZooKeeperWatchMode>(section, where, nameof(options.WatchMode)) ?? options.WatchMode;
        options.SessionLossPolicy = EnumOf<SessionLossPolicy>(section, where, nameof(options.SessionLossPolicy)) ?? options.SessionLossPolicy;

        // "Path": "/app" for one subtree, or "Subtrees": [ { "Path": "/app", "KeyPrefix": "App", "FlattenJson": true } ].
        if (section[nameof(ZooKeeperConfigurationSubtree.Path)] is { } single)
        {
            options.AddSubtree(single, section[nameof(ZooKeeperConfigurationSubtree.KeyPrefix)]);
        }

        foreach (IConfigurationSection item in section.GetSection(nameof(options.Subtrees)).GetChildren())
        {
            options.Subtrees.Add(new ZooKeeperConfigurationSubtree
            {
                Path = item[nameof(ZooKeeperConfigurationSubtree.Path)] ?? item.Value ?? string.Empty,
                KeyPrefix = item[nameof(ZooKeeperConfigurationSubtree.KeyPrefix)],
                FlattenJson = BoolOf(item, item.Path + ":", nameof(ZooKeeperConfigurationSubtree.FlattenJson)),
            });
        }

        // Credentials and TLS take the same keys as AddZkTypedState(IConfiguration), through the same generated binding.
        foreach (IConfigurationSection item in section.GetSection(nameof(options.Credentials)).GetChildren())
        {
            var credential = new ZooKeeperCredential();
            item.Bind(credential);
            options.Credentials.Add(credential);
        }

        IConfigurationSection tls = section.GetSection("Tls");
        if (tls.Exists())
        {
            var binding = new ZkTypedStateTlsBinding();
            tls.Bind(binding);
            options.Tls = binding;
        }
    }

    private static TimeSpan? TimeSpanOf(IConfiguration section, string where, string key) =>
        section[key] is { } text
            ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid(where, key, text, "a time span such as 00:00:10")
            : null;

    private static bool? BoolOf(IConfiguration section, string where, string key) =>
        section[key] is { } text
            ? bool.TryParse(text, out bool value) ? value : throw Invalid(where, key, text, "true or false")
            : null;

    private static int? IntOf(IConfiguration section, string where, string key) =>
        section[key] is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Invalid(where, key, text, "an integer")
            : null;

    private static TEnum? EnumOf<TEnum>(IConfiguration section, string where, string key)
        where TEnum : struct, Enum =>
        section[key] is { } text
            ? Enum.TryParse(text, ignoreCase: true, out TEnum value) && Enum.IsDefined(value) ? value : throw Invalid(where, key, text, "one of " + string.Join(", ", Enum.GetNames<TEnum>()))
            : null;

    private static FormatException Invalid(string where, string key, string text, string expected) =>
        new($"Configuration value {where}{key} = '{text}' is not valid for the ZooKeeper configuration provider: expected {expected}.");
}
