using System.Globalization;
using System.Text;

namespace ZkTypedState.Testing;

/// <summary>Builds the <c>zoo.cfg</c> and logging configuration the harness gives each server.</summary>
internal static class ZooKeeperConfigFile
{
    /// <summary>File name of the server configuration inside the data directory.</summary>
    public const string ConfigFileName = "zoo.cfg";

    /// <summary>File name of the generated log4j 1.2 configuration inside the data directory.</summary>
    public const string Log4jFileName = "log4j.properties";

    /// <summary>The log4j 1.2 configuration: everything at INFO to the console (which the harness captures).</summary>
    public const string Log4jProperties =
        """
        log4j.rootLogger=INFO, CONSOLE
        log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
        log4j.appender.CONSOLE.Threshold=INFO
        log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
        log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n

        """;

    /// <summary>Renders the configuration.</summary>
    /// <param name="options">Server options (tick, session bounds, extra lines).</param>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="clientPort">The client port.</param>
    /// <param name="peers">The ensemble, or <see langword="null"/> for a standalone server.</param>
    /// <param name="harnessExtra">More harness lines (TLS), before the options' own extra lines, which override them.</param>
    /// <returns>The file content.</returns>
    public static string Render(ZooKeeperTestServerOptions options, string dataDirectory, int clientPort, IReadOnlyList<QuorumPeerEndpoint>? peers, IEnumerable<KeyValuePair<string, string>>? harnessExtra = null)
    {
        var entries = new List<KeyValuePair<string, string>>
        {
            new("tickTime", Format(options.TickTimeMs)),
            new("initLimit", "10"),
            new("syncLimit", "5"),
            new("dataDir", JavaPath(dataDirectory)),
            new("clientPort", Format(clientPort)),
            new("clientPortAddress", ZooKeeperTestServer.LoopbackHost),
            new("maxClientCnxns", "0"),
            new("admin.enableServer", "false"),
            new("4lw.commands.whitelist", "*"),

            // A killed JVM loses nothing that was written (the OS keeps it); fsync per transaction only slows tests.
            new("forceSync", "no"),

            // Transaction logs are preallocated in 64 MiB blocks by default; keep test data directories small.
            new("preAllocSize", "4096"),
        };

        if (options.MinSessionTimeoutMs is { } min)
        {
            entries.Add(new("minSessionTimeout", Format(min)));
        }

        if (options.MaxSessionTimeoutMs is { } max)
        {
            entries.Add(new("maxSessionTimeout", Format(max)));
        }

        if (options.EnforceAuthSchemes is { } schemes)
        {
            entries.Add(new("enforce.auth.enabled", "true"));
            entries.Add(new("enforce.auth.schemes", schemes));
        }

        if (peers is not null)
        {
            entries.AddRange(peers.Select(peer => peer.ConfigLine));
        }

        if (harnessExtra is not null)
        {
            entries.AddRange(harnessExtra);
        }

        foreach (var extra in options.ExtraConfig)
        {
            var index = entries.FindIndex(entry => entry.Key == extra.Key);
            if (index >= 0)
            {
                entries[index] = new(extra.Key, extra.Value);
            }
            else
            {
                entries.Add(new(extra.Key, extra.Value));
            }
        }

        var text = new StringBuilder();
        text.AppendLine("# Written by ZkTypedState.Testing.");
        foreach (var (key, value) in entries)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A path as Java properties files need it (forward slashes; backslashes would be escapes).</summary>
    public static string JavaPath(string path) => path.Replace('\\', '/');

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
