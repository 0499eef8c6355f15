using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>What bound values do when the session is lost (presumed or confirmed expired, or auth failed).</summary>
public enum SessionLossPolicy
{
    /// <summary>
    /// The default. Every value becomes <see cref="ZNodeStatus.Invalidated"/> at once: no value read in the old session
    /// is served as current; <see cref="IZNode{T}.Value"/> returns the type's default until the node is re-read in a new session.
    /// </summary>
    InvalidateAndRebuild,

    /// <summary>
    /// For apps that prefer availability: values keep their last content marked <see cref="ZNodeStatus.Stale"/> until re-read
    /// in a new session. Subscribers are still told the session was lost.
    /// </summary>
    ServeStaleAndRebuild,
}

/// <summary>What the host does when not every node is loaded within <see cref="ZkTypedStateOptions.InitialSyncTimeout"/>.</summary>
public enum InitialSyncFailureBehavior
{
    /// <summary>Startup fails with an exception.</summary>
    FailStartup,

    /// <summary>Startup continues; the nodes load when ZooKeeper is reachable (health reports it meanwhile).</summary>
    Continue,
}

/// <summary>Settings of the typed-state runtime.</summary>
public sealed partial class ZkTypedStateOptions
{
    /// <summary><c>host:port[,host:port…][/chroot]</c>.</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:2181";

    /// <summary>The requested session timeout.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long host startup waits for every registered node to be loaded.</summary>
    public TimeSpan InitialSyncTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What happens when the initial sync times out.</summary>
    public InitialSyncFailureBehavior InitialSyncFailure { get; set; } = InitialSyncFailureBehavior.FailStartup;

    /// <summary>What bound values do when the session is lost.</summary>
    public SessionLossPolicy SessionLossPolicy { get; set; } = SessionLossPolicy.InvalidateAndRebuild;

    /// <summary>
    /// The most reads in flight at once when (re)loading nodes; 0 (the default): no cap. Without a cap the reads of a
    /// load are pipelined as the Java client and Curator pipeline theirs (the connection's writer batches them into
    /// 64 KiB writes), and ZooKeeper throttles itself (its <c>globalOutstandingLimit</c>, 1000 by default, stops reading
    /// from connections while that many requests are outstanding); a cap of 256 made a 10,000-node load wait on round
    /// trips instead (bench/README.md). Set a positive value to bound what a fleet rebuilding at once sends a
    /// recovering ensemble.
    /// </summary>
    public int MaxConcurrentReads { get; set; }

    /// <summary>
    /// Per path-template family: the most names that are not members (asked for with <c>Get</c> but absent from
    /// ZooKeeper, or deleted members) kept bound and watched at once. Beyond it the least recently asked-for one is
    /// unbound, so names taken from requests cannot grow the bound nodes and server watches without limit. Default 1024;
    /// at least 1.
    /// </summary>
    public int MaxFamilyNonMembers { get; set; } = 1024;

    /// <summary>Fraction of the session timeout after which an unreachable session is presumed expired (see <see cref="ZooKeeperClientOptions.PresumedExpiryFraction"/>).</summary>
    public double PresumedExpiryFraction { get; set; } = 1.0;

    /// <summary>The longest wait between attempts to create a new session after one was lost (full jitter, exponential from 100 ms).</summary>
    public TimeSpan MaxNewSessionDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest payload accepted from a node; larger ones fault the value (the last good one is kept).</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Credentials sent on every new session (and, by the client, again on every reconnect), e.g.
    /// <c>ZooKeeperCredential.Digest("app", password)</c>; bindable from configuration
    /// (<c>"Credentials": [ { "Scheme": "digest", "User": "app", "Password": "…" } ]</c>). Each entry is checked at
    /// startup (see <see cref="ZooKeeperCredential"/>). A credential the server rejects makes the session
    /// <see cref="ZooKeeperState.AuthFailed"/>: health turns unhealthy and new sessions are tried only every
    /// <see cref="MaxNewSessionDelay"/>. (A wrong digest <em>password</em> is not rejected — digest accepts any
    /// password and the mistake shows up as <see cref="NoAuthException"/> on protected nodes.) Never logged.
    /// </summary>
    public IList<ZooKeeperCredential> Credentials { get; } = [];

    /// <summary>Adds <c>digest</c> credentials (matching ACLs made with <see cref="Acl.Digest"/>).</summary>
    public ZkTypedStateOptions AddDigestCredentials(string user, string password)
    {
        Credentials.Add(ZooKeeperCredential.Digest(user, password));
        return this;
    }

    /// <summary>Adds a credential of any scheme with raw auth bytes (copied), for auth providers whose secret is not text.</summary>
    public ZkTypedStateOptions AddCredentials(string scheme, ReadOnlySpan<byte> auth)
    {
        Credentials.Add(ZooKeeperCredential.FromBytes(scheme, auth));
        return this;
    }

    /// <summary>TLS for the session's connections (see <see cref="ZooKeeperTlsOptions"/>); <see langword="null"/> (the default) is plain TCP.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Lets tests and advanced apps adjust the underlying client's options (code only: not bound from configuration).</summary>
    public Action<ZooKeeperClientOptions>? ConfigureClient { get; set; }
}
