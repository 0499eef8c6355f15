using Microsoft.Extensions.Logging;

namespace ZkTypedState.Configuration;

/// <summary>How the configuration provider learns about changes.</summary>
public enum ZooKeeperWatchMode
{
    /// <summary>
    /// The default: one persistent-recursive watch per subtree (ZooKeeper 3.6+); when the server refuses AddWatch
    /// (3.5 servers answer <c>Unimplemented</c>) the provider logs it once and falls back to <see cref="PerNode"/>.
    /// </summary>
    Auto,

    /// <summary>A persistent-recursive watch per subtree only; a server without AddWatch fails the load with a clear error.</summary>
    PersistentRecursive,

    /// <summary>One-shot data and child watches on every node, re-armed by each re-read (works on every server version).</summary>
    PerNode,
}

/// <summary>One ZooKeeper subtree mapped into configuration keys.</summary>
public sealed class ZooKeeperConfigurationSubtree
{
    /// <summary>The subtree's root, e.g. <c>/app</c>: <c>/app/Rate/USD</c> becomes the key <c>Rate:USD</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// An optional key prefix, e.g. <c>Payments</c>: <c>/app/Limit</c> becomes <c>Payments:Limit</c>. With a prefix the
    /// root's own data is served as the key <c>Payments</c>; without one the root's data is not mapped.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>Overrides <see cref="ZooKeeperConfigurationOptions.FlattenJson"/> for this subtree.</summary>
    public bool? FlattenJson { get; set; }
}

/// <summary>Settings of the ZooKeeper configuration provider (<c>builder.Configuration.AddZooKeeper(...)</c>).</summary>
public sealed partial class ZooKeeperConfigurationOptions
{
    /// <summary><c>host:port[,host:port…][/chroot]</c>. Required.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The requested session timeout (default 10 s).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The subtrees to map, in layering order: where two subtrees give the same key, the later one wins.</summary>
    public IList<ZooKeeperConfigurationSubtree> Subtrees { get; } = [];

    /// <summary>
    /// False (the default): the first load fails with <see cref="ZooKeeperConfigurationException"/> when no session is
    /// established within <see cref="StartupTimeout"/> or a subtree root does not exist. True: the provider starts empty
    /// (after waiting at most <see cref="StartupTimeout"/>) and fills in, firing its change token, once the server answers.
    /// </summary>
    public bool Optional { get; set; }

    /// <summary>How long the first (synchronous) load may block: connect and read every subtree. Default 10 s, at most 5 minutes.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opt-in: a node whose text is a JSON object or array is flattened into keys the way <c>AddJsonFile</c> does
    /// (<c>{"Limit":5,"Hosts":["a","b"]}</c> at <c>Payments</c> gives <c>Payments:Limit</c>, <c>Payments:Hosts:0</c>, …).
    /// Off by default: the text is the value. A subtree can override it.
    /// </summary>
    public bool FlattenJson { get; set; }

    /// <summary>Whether trailing <c>\r</c>/<c>\n</c> are removed from a node's text (default true: files uploaded with a final newline bind as expected).</summary>
    public bool TrimTrailingNewlines { get; set; } = true;

    /// <summary>
    /// What is served once the session is known lost (presumed or confirmed expired, or auth failed), until every
    /// subtree is re-read in a new session. <see cref="SessionLossPolicy.InvalidateAndRebuild"/> (the default) removes
    /// every key of this provider at once (lower configuration layers and option defaults show through);
    /// <see cref="SessionLossPolicy.ServeStaleAndRebuild"/> keeps the last keys, with <see cref="ZooKeeperConfigurationStatus.IsStale"/> set.
    /// </summary>
    public SessionLossPolicy SessionLossPolicy { get; set; } = SessionLossPolicy.InvalidateAndRebuild;

    /// <summary>
    /// How long a burst of change events is collected before one re-read and one reload (default 50 ms, 0 to 10 s). A
    /// stream of changes still reloads at least once per delay plus the re-read.
    /// </summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The most nodes held over all subtrees (default 10,000): a larger tree fails the load rather than growing memory without limit.</summary>
    public int MaxNodes { get; set; } = 10_000;

    /// <summary>The most reads in flight at once while walking a subtree (default 64).</summary>
    public int MaxConcurrentReads { get; set; } = 64;

    /// <summary>How changes are watched (default <see cref="ZooKeeperWatchMode.Auto"/>).</summary>
    public ZooKeeperWatchMode WatchMode { get; set; } = ZooKeeperWatchMode.Auto;

    /// <summary>
    /// Credentials sent on every session (the same <see cref="ZooKeeperCredential"/> entries as
    /// <see cref="ZkTypedStateOptions.Credentials"/>, validated by the same rules). Never logged.
    /// </summary>
    public IList<ZooKeeperCredential> Credentials { get; } = [];

    /// <summary>Logs of the provider and its session (configuration is built before the DI container, so it is passed here).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Adjusts the session's settings (TLS, client options) beyond those above.</summary>
    public Action<ZkTypedStateOptions>? ConfigureSession { get; set; }

    /// <summary>TLS settings read from the section's <c>Tls</c> child (the same keys as for <c>AddZkTypedState(IConfiguration)</c>).</summary>
    internal ZkTypedStateTlsBinding? Tls { get; set; }

    /// <summary>Adds a digest credential (<c>user:password</c>).</summary>
    public ZooKeeperConfigurationOptions AddDigestCredentials(string user, string password)
    {
        Credentials.Add(ZooKeeperCredential.Digest(user, password));
        return this;
    }

    /// <summary>Adds a subtree.</summary>
    public ZooKeeperConfigurationOptions AddSubtree(string path, string? keyPrefix = null, bool? flattenJson = null)
    {
        Subtrees.Add(new ZooKeeperConfigurationSubtree { Path = path, KeyPrefix = keyPrefix, FlattenJson = flattenJson });
        return this;
    }

    /// <summary>The session settings these options give.</summary>
    internal ZkTypedStateOptions BuildSessionOptions()
    {
        var session = new ZkTypedStateOptions { ConnectionString = ConnectionString, SessionTimeout = SessionTimeout, SessionLossPolicy = SessionLossPolicy };
        foreach (ZooKeeperCredential credential in Credentials)
        {
            session.Credentials.Add(credential);
        }

        Tls?.ApplyTo(session);
        ConfigureSession?.Invoke(session);
        return session;
    }
}
