using System.Text.RegularExpressions;

namespace ZkTypedState.Testing;

/// <summary>
/// A located Java runtime plus the ZooKeeper server class path, as used to launch
/// <c>org.apache.zookeeper.server.quorum.QuorumPeerMain</c>.
/// </summary>
/// <remarks>
/// Java is looked up in <see cref="ZooKeeperTestServerOptions.JavaPath"/>, then <c>$JAVA_HOME/bin/java</c>, then
/// <c>java</c> on the <c>PATH</c>. ZooKeeper is looked up in <see cref="ZooKeeperTestServerOptions.ZooKeeperHome"/>,
/// then <c>$ZOOKEEPER_HOME</c> (an Apache binary release: <c>lib/*.jar</c> plus <c>conf</c>), then the Debian
/// <c>zookeeper</c> package (<c>/usr/share/java/zookeeper.jar</c>, whose manifest <c>Class-Path</c> names its
/// dependencies, plus <c>/etc/zookeeper/conf</c>). Debian's jar manifest names only <c>slf4j-api</c>, so the
/// log4j 1.2 binding jars from <c>/usr/share/java</c> are added when present; without them the server logs nothing. The
/// manifest also omits <c>netty-codec</c> (needed for TLS on <c>secureClientPort</c>), which is added the same way.
/// </remarks>
public sealed partial class ZooKeeperInstallation
{
    /// <summary>Environment variable naming a ZooKeeper installation directory.</summary>
    public const string ZooKeeperHomeVariable = "ZOOKEEPER_HOME";

    /// <summary>The jar installed by the Debian/Ubuntu <c>zookeeper</c> package.</summary>
    public const string DebianZooKeeperJar = "/usr/share/java/zookeeper.jar";

    /// <summary>The configuration directory installed by the Debian/Ubuntu <c>zookeeper</c> package.</summary>
    public const string DebianConfDirectory = "/etc/zookeeper/conf";

    private const string InstallHint =
        "Install ZooKeeper with `apt-get install zookeeper` (Debian/Ubuntu), or unpack an Apache ZooKeeper binary " +
        "release (apache-zookeeper-X.Y.Z-bin.tar.gz) and set the ZOOKEEPER_HOME environment variable " +
        "(or ZooKeeperTestServerOptions.ZooKeeperHome) to its directory.";

    private const string JavaHint =
        "Install a Java runtime (11 or later), e.g. `apt-get install default-jre-headless`, and put `java` on the PATH, " +
        "set JAVA_HOME, or set ZooKeeperTestServerOptions.JavaPath.";

    private static readonly string[] DebianLoggingJars =
    [
        "/usr/share/java/slf4j-log4j12.jar",
        "/usr/share/java/log4j-1.2.jar",
    ];

    // The Debian manifest names netty-buffer/common/handler/transport but not netty-codec, which Netty's TLS handler
    // (SslHandler extends ByteToMessageDecoder) needs: without it a secureClientPort closes every connection with
    // NoClassDefFoundError. netty-resolver and the native-unix-common classes complete the transport and epoll jars.
    private static readonly string[] DebianNettyJars =
    [
        "/usr/share/java/netty-codec.jar",
        "/usr/share/java/netty-resolver.jar",
        "/usr/share/java/netty-transport-native-unix-common.jar",
    ];

    private ZooKeeperInstallation(string javaPath, IReadOnlyList<string> classPath, string? confDirectory, string description)
    {
        JavaPath = javaPath;
        ClassPath = classPath;
        ConfDirectory = confDirectory;
        Description = description;
    }

    /// <summary>The <c>java</c> executable.</summary>
    public string JavaPath { get; }

    /// <summary>The class path entries (configuration directory first, then jars).</summary>
    public IReadOnlyList<string> ClassPath { get; }

    /// <summary>The installation's configuration directory (logging configuration), if any.</summary>
    public string? ConfDirectory { get; }

    /// <summary>Where the ZooKeeper jars were found, for diagnostics.</summary>
    public string Description { get; }

    /// <summary>The class path joined with the platform's path separator.</summary>
    public string ClassPathString => string.Join(Path.PathSeparator, ClassPath);

    /// <summary>Locates Java and ZooKeeper using the paths in <paramref name="options"/> (or the defaults).</summary>
    /// <param name="options">Options whose <see cref="ZooKeeperTestServerOptions.JavaPath"/> and
    /// <see cref="ZooKeeperTestServerOptions.ZooKeeperHome"/> are used; <see langword="null"/> for defaults.</param>
    /// <returns>The installation.</returns>
    /// <exception cref="ZooKeeperInstallationNotFoundException">Java or the ZooKeeper jars are missing.</exception>
    public static ZooKeeperInstallation Locate(ZooKeeperTestServerOptions? options = null) =>
        Locate(options?.JavaPath, options?.ZooKeeperHome);

    /// <summary>Locates Java and ZooKeeper.</summary>
    /// <param name="javaPath">An explicit <c>java</c> executable or Java home directory, or <see langword="null"/>.</param>
    /// <param name="zooKeeperHome">An explicit ZooKeeper installation directory, or <see langword="null"/>.</param>
    /// <returns>The installation.</returns>
    /// <exception cref="ZooKeeperInstallationNotFoundException">Java or the ZooKeeper jars are missing.</exception>
    public static ZooKeeperInstallation Locate(string? javaPath, string? zooKeeperHome)
    {
        var (classPath, conf, description) = LocateZooKeeper(zooKeeperHome);
        var java = LocateJava(javaPath);
        var entries = new List<string>();
        if (conf is not null)
        {
            entries.Add(conf);
        }

        entries.AddRange(classPath);
        return new ZooKeeperInstallation(java, entries, conf, description);
    }

    private static string LocateJava(string? explicitPath)
    {
        var executable = OperatingSystem.IsWindows() ? "java.exe" : "java";
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (File.Exists(explicitPath))
            {
                return Path.GetFullPath(explicitPath);
            }

            var inHome = Path.Combine(explicitPath, "bin", executable);
            if (File.Exists(inHome))
            {
                return inHome;
            }

            throw new ZooKeeperInstallationNotFoundException(
                $"Java was not found at '{explicitPath}' (ZooKeeperTestServerOptions.JavaPath): it is neither a java executable " +
                $"nor a Java home containing bin/{executable}. {JavaHint}");
        }

        var looked = new List<string>();
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrWhiteSpace(javaHome))
        {
            var candidate = Path.Combine(javaHome, "bin", executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            looked.Add($"JAVA_HOME ({candidate})");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = Path.Combine(directory, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        looked.Add("the PATH");
        throw new ZooKeeperInstallationNotFoundException(
            $"Java was not found (looked in {string.Join(" and ", looked)}). {JavaHint}");
    }

    private static (IReadOnlyList<string> Jars, string? Conf, string Description) LocateZooKeeper(string? explicitHome)
    {
        if (!string.IsNullOrWhiteSpace(explicitHome))
        {
            return FromHome(explicitHome, "ZooKeeperTestServerOptions.ZooKeeperHome");
        }

        var environmentHome = Environment.GetEnvironmentVariable(ZooKeeperHomeVariable);
        if (!string.IsNullOrWhiteSpace(environmentHome))
        {
            return FromHome(environmentHome, $"the {ZooKeeperHomeVariable} environment variable");
        }

        if (File.Exists(DebianZooKeeperJar))
        {
            var jars = new List<string> { DebianZooKeeperJar };
            jars.AddRange(DebianLoggingJars.Where(File.Exists));
            jars.AddRange(DebianNettyJars.Where(File.Exists));
            var conf = Directory.Exists(DebianConfDirectory) ? DebianConfDirectory : null;
            return (jars, conf, $"Debian package ({DebianZooKeeperJar})");
        }

        throw new ZooKeeperInstallationNotFoundException(
            $"The ZooKeeper server jars were not found: {ZooKeeperHomeVariable} is not set and {DebianZooKeeperJar} does not exist. {InstallHint}");
    }

    private static (IReadOnlyList<string> Jars, string? Conf, string Description) FromHome(string home, string source)
    {
        if (!Directory.Exists(home))
        {
            throw new ZooKeeperInstallationNotFoundException(
                $"The ZooKeeper installation directory '{home}' (from {source}) does not exist. {InstallHint}");
        }

        var jars = new List<string>();
        var lib = Path.Combine(home, "lib");
        if (Directory.Exists(lib))
        {
            jars.AddRange(Directory.EnumerateFiles(lib, "*.jar").Order(StringComparer.Ordinal));
        }

        jars.AddRange(Directory.EnumerateFiles(home, "*.jar").Order(StringComparer.Ordinal));
        if (!jars.Any(jar => ServerJarName().IsMatch(Path.GetFileName(jar))))
        {
            throw new ZooKeeperInstallationNotFoundException(
                $"No ZooKeeper server jar (zookeeper-X.Y.Z.jar) was found in '{lib}' or '{home}' (from {source}). {InstallHint}");
        }

        var conf = Path.Combine(home, "conf");
        return (jars, Directory.Exists(conf) ? conf : null, $"{home} (from {source})");
    }

    [GeneratedRegex(@"^zookeeper(-\d[\w.\-]*)?\.jar$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ServerJarName();
}
