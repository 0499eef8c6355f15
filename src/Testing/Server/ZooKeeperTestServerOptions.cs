using ZkTypedState.Client.Session;

namespace ZkTypedState.Testing;

/// <summary>
/// Settings for a <see cref="ZooKeeperTestServer"/> (and, used as a template, for every member of a
/// <see cref="ZooKeeperTestCluster"/>).
/// </summary>
public sealed class ZooKeeperTestServerOptions
{
    /// <summary>
    /// The server's <c>tickTime</c> in milliseconds. ZooKeeper's default session-timeout bounds are
    /// 2×tick … 20×tick, so a small tick (for example 200) allows short session timeouts in tests.
    /// </summary>
    public int TickTimeMs { get; set; } = 2000;

    /// <summary><c>minSessionTimeout</c> in milliseconds; <see langword="null"/> keeps ZooKeeper's default (2×tick).</summary>
    public int? MinSessionTimeoutMs { get; set; }

    /// <summary><c>maxSessionTimeout</c> in milliseconds; <see langword="null"/> keeps ZooKeeper's default (20×tick).</summary>
    public int? MaxSessionTimeoutMs { get; set; }

    /// <summary>
    /// The client port on 127.0.0.1; <see langword="null"/> picks a free loopback port. Ignored by
    /// <see cref="ZooKeeperTestCluster"/>, which always picks free ports for its members.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// The directory holding the server's data, <c>zoo.cfg</c> and log. <see langword="null"/> creates a
    /// temporary directory that is deleted when the server is disposed; a given directory is kept. For a
    /// cluster this is a parent directory: the member with <c>myid</c> N uses the sub-directory <c>memberN</c>.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Passes <c>-Dzookeeper.extendedTypesEnabled=true</c> (required for TTL nodes). Default <see langword="true"/>.
    /// </summary>
    public bool ExtendedTypesEnabled { get; set; } = true;

    /// <summary>
    /// Passes <c>-Dznode.container.checkIntervalMs</c> (how often empty container and expired TTL nodes are
    /// reaped); <see langword="null"/> keeps ZooKeeper's default of one minute.
    /// </summary>
    public int? ContainerCheckIntervalMs { get; set; }

    /// <summary>
    /// Extra <c>zoo.cfg</c> lines (key → value). They are written after, and so override, the harness
    /// defaults (for example <c>forceSync=no</c> or <c>4lw.commands.whitelist=*</c>).
    /// </summary>
    public IDictionary<string, string> ExtraConfig { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Extra JVM arguments, placed before the main class (for example <c>-Dzookeeper.snapCount=100</c>).
    /// </summary>
    public IList<string> ExtraJvmArguments { get; } = new List<string>();

    /// <summary>
    /// The <c>java</c> executable (or a JDK/JRE home directory containing <c>bin/java</c>).
    /// <see langword="null"/> uses <c>JAVA_HOME/bin/java</c>, else <c>java</c> on the <c>PATH</c>.
    /// </summary>
    public string? JavaPath { get; set; }

    /// <summary>
    /// A ZooKeeper installation directory (an Apache binary tarball: <c>lib/*.jar</c> and <c>conf</c>).
    /// <see langword="null"/> uses the <c>ZOOKEEPER_HOME</c> environment variable, else the Debian
    /// <c>zookeeper</c> package (<c>/usr/share/java/zookeeper.jar</c>).
    /// </summary>
    public string? ZooKeeperHome { get; set; }

    /// <summary>
    /// How long <c>StartAsync</c> waits for the server to report a serving mode through <c>srvr</c>
    /// before failing with <see cref="ZooKeeperServerStartException"/>. Default 60 seconds.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether the server also serves TLS, on <see cref="ZooKeeperTestServer.SecurePort"/> (a free loopback port), with a
    /// key store and trust store it generates (<see cref="ZooKeeperTestServer.TlsCertificates"/>). The plain
    /// <see cref="Port"/> stays open. Default <see cref="ZooKeeperTestTlsMode.None"/>. In a <see cref="ZooKeeperTestCluster"/>
    /// every member serves TLS with the same CA and server certificate (<see cref="ZooKeeperTestCluster.TlsCertificates"/>).
    /// </summary>
    public ZooKeeperTestTlsMode TlsMode { get; set; }

    /// <summary>
    /// Authentication schemes the server requires before any other request (comma-separated, e.g. <c>digest</c>): writes
    /// <c>enforce.auth.enabled=true</c> and <c>enforce.auth.schemes</c> (ZooKeeper 3.7+). A client that sends a request
    /// without having authenticated with one of them gets <c>SessionClosedRequireSaslAuth</c> and its connection is closed.
    /// <see langword="null"/> (the default): no enforcement. Digest needs no extra provider (the server always loads it).
    /// </summary>
    public string? EnforceAuthSchemes { get; set; }

    /// <summary>Creates a copy whose collections are independent of this instance.</summary>
    /// <returns>The copy.</returns>
    public ZooKeeperTestServerOptions Clone()
    {
        var copy = new ZooKeeperTestServerOptions
        {
            TickTimeMs = TickTimeMs,
            MinSessionTimeoutMs = MinSessionTimeoutMs,
            MaxSessionTimeoutMs = MaxSessionTimeoutMs,
            Port = Port,
            DataDirectory = DataDirectory,
            ExtendedTypesEnabled = ExtendedTypesEnabled,
            ContainerCheckIntervalMs = ContainerCheckIntervalMs,
            JavaPath = JavaPath,
            ZooKeeperHome = ZooKeeperHome,
            StartTimeout = StartTimeout,
            TlsMode = TlsMode,
            EnforceAuthSchemes = EnforceAuthSchemes,
        };
        foreach (var pair in ExtraConfig)
        {
            copy.ExtraConfig[pair.Key] = pair.Value;
        }

        foreach (var argument in ExtraJvmArguments)
        {
            copy.ExtraJvmArguments.Add(argument);
        }

        return copy;
    }

    internal void Validate()
    {
        if (TickTimeMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TickTimeMs), TickTimeMs, "TickTimeMs must be positive.");
        }

        if (Port is { } port && (port <= 0 || port > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(Port), port, "Port must be between 1 and 65535.");
        }

        // Only compared with elapsed time: any positive value works, no int-milliseconds bound.
        TimeSpanOptionChecks.RequirePositive(StartTimeout, nameof(StartTimeout), nameof(StartTimeout), atMostInt32Milliseconds: false);

        if (!Enum.IsDefined(TlsMode))
        {
            throw new ArgumentOutOfRangeException(nameof(TlsMode), TlsMode, "TlsMode must be None, Tls or MutualTls.");
        }

        if (EnforceAuthSchemes is { } schemes && (string.IsNullOrWhiteSpace(schemes) || schemes.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"EnforceAuthSchemes must be comma-separated scheme names without spaces, e.g. \"digest\" (was '{schemes}').", nameof(EnforceAuthSchemes));
        }

        if (MinSessionTimeoutMs is { } min && MaxSessionTimeoutMs is { } max && min > max)
        {
            throw new ArgumentException($"MinSessionTimeoutMs ({min}) is greater than MaxSessionTimeoutMs ({max}).");
        }
    }
}
