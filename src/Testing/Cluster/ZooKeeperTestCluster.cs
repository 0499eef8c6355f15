using System.Diagnostics;
using System.Text;

namespace ZkTypedState.Testing;

/// <summary>
/// A real ZooKeeper ensemble of <see cref="ZooKeeperTestServer"/> members on loopback ports, for tests of leader
/// failover and quorum loss. Members are addressed by index (0-based; member <c>i</c> has <c>myid</c> <c>i + 1</c>).
/// Disposing kills every JVM and deletes a temporary data directory.
/// </summary>
public sealed class ZooKeeperTestCluster : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ZooKeeperTestServer[] members;
    private readonly string? ownedRoot;
    private readonly ZooKeeperTestTlsCertificates? tls;
    private readonly TimeSpan timeout;
    private int disposed;

    private ZooKeeperTestCluster(ZooKeeperTestServer[] members, string? ownedRoot, TimeSpan timeout, ZooKeeperTestTlsCertificates? tls)
    {
        this.members = members;
        this.tls = tls;
        this.ownedRoot = ownedRoot;
        this.timeout = timeout;
    }

    /// <summary>The members, in <c>myid</c> order.</summary>
    public IReadOnlyList<ZooKeeperTestServer> Members => members;

    /// <summary>Every member's <c>127.0.0.1:port</c>, comma separated.</summary>
    public string ConnectionString => string.Join(',', members.Select(member => member.ConnectionString));

    /// <summary>Every member's TLS <c>127.0.0.1:securePort</c>, comma separated, in a TLS mode; else <see langword="null"/>.</summary>
    public string? SecureConnectionString => tls is null ? null : string.Join(',', members.Select(member => member.SecureConnectionString));

    /// <summary>In a TLS mode, the certificates every member shares (one CA, one server certificate), else <see langword="null"/>.</summary>
    public ZooKeeperTestTlsCertificates? TlsCertificates => tls;

    /// <summary>
    /// Starts an ensemble of <paramref name="size"/> members concurrently and waits for a quorum (every member
    /// leader or follower). Client, quorum and election ports are picked free on 127.0.0.1.
    /// </summary>
    /// <param name="size">Number of members (3 tolerates one failure, 5 two). A size of 1 runs in standalone mode.</param>
    /// <param name="template">Settings for every member (its <see cref="ZooKeeperTestServerOptions.Port"/> is ignored);
    /// <see langword="null"/> for defaults. The instance is copied.</param>
    /// <param name="cancellationToken">Cancels the start (the JVMs are then killed).</param>
    /// <returns>The ensemble, with a quorum.</returns>
    /// <exception cref="ZooKeeperInstallationNotFoundException">Java or the ZooKeeper jars are missing.</exception>
    /// <exception cref="ZooKeeperServerStartException">The ensemble did not form within the start timeout.</exception>
    public static async Task<ZooKeeperTestCluster> StartAsync(int size = 3, ZooKeeperTestServerOptions? template = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var options = template?.Clone() ?? new ZooKeeperTestServerOptions();
        options.Port = null;
        options.Validate();
        var installation = ZooKeeperInstallation.Locate(options);
        var ownedRoot = options.DataDirectory is null ? ZooKeeperTestServer.CreateTemporaryDirectory("zkcluster") : null;
        var root = ownedRoot ?? Path.GetFullPath(options.DataDirectory!);

        // With TLS every member also gets a secure port, picked with the others so none collides.
        var tls = options.TlsMode == ZooKeeperTestTlsMode.None ? null : ZooKeeperTestTlsCertificates.Generate();
        var stride = tls is null ? 3 : 4;
        var ports = FreePorts.Pick(stride * size);
        var peers = Enumerable.Range(0, size)
            .Select(i => new QuorumPeerEndpoint(i + 1, ports[stride * i], ports[(stride * i) + 1], ports[(stride * i) + 2]))
            .ToArray();
        var members = peers
            .Select((peer, i) => ZooKeeperTestServer.CreateMember(
                installation, options, Path.Combine(root, $"member{peer.Id}"), ownedRoot, peer, peers, tls is null ? null : (tls, ports[(stride * i) + 3], false)))
            .ToArray();
        var cluster = new ZooKeeperTestCluster(members, ownedRoot, options.StartTimeout, tls);
        try
        {
            await Task.WhenAll(members.Select(member => member.LaunchAsync(cancellationToken))).ConfigureAwait(false);
            await Task.WhenAll(members.Select(member => member.WaitUntilServingAsync(cancellationToken))).ConfigureAwait(false);
            await cluster.WaitForQuorumAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>The <c>srvr</c> mode of every member (<see cref="ZooKeeperServerMode.NotServing"/> for stopped members).</summary>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The modes, by member index.</returns>
    public async Task<IReadOnlyList<ZooKeeperServerMode>> GetModesAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(members.Select(member => member.IsRunning
            ? member.GetModeAsync(cancellationToken)
            : Task.FromResult(ZooKeeperServerMode.NotServing))).ConfigureAwait(false);

    /// <summary>
    /// The index of the member whose <c>srvr</c> says <c>Mode: leader</c>. While an election is running there is
    /// none, so this polls until exactly one running member is leader.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The leader's index in <see cref="Members"/>.</returns>
    /// <exception cref="TimeoutException">No leader within the start timeout.</exception>
    public async Task<int> FindLeaderAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var modes = await GetModesAsync(cancellationToken).ConfigureAwait(false);
            var leaders = Enumerable.Range(0, modes.Count).Where(i => modes[i] == ZooKeeperServerMode.Leader).ToArray();
            if (leaders.Length == 1)
            {
                return leaders[0];
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"No single leader within {timeout.TotalSeconds:0.#} s; modes: {Describe(modes)}.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until every running member reports <c>leader</c>, <c>follower</c> or <c>observer</c>, with exactly one leader.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when the quorum serves.</returns>
    /// <exception cref="ZooKeeperServerStartException">No quorum within the start timeout.</exception>
    public async Task WaitForQuorumAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var modes = await GetModesAsync(cancellationToken).ConfigureAwait(false);
            var running = Enumerable.Range(0, members.Length).Where(i => members[i].IsRunning).ToArray();
            var serving = running.All(i => modes[i] is ZooKeeperServerMode.Leader or ZooKeeperServerMode.Follower or ZooKeeperServerMode.Observer);
            if (running.Length > 0 && serving && running.Count(i => modes[i] == ZooKeeperServerMode.Leader) == 1)
            {
                return;
            }

            if (members.Length == 1 && modes[0] == ZooKeeperServerMode.Standalone)
            {
                return;
            }

            if (clock.Elapsed >= timeout)
            {
                var logs = new StringBuilder();
                foreach (var index in running)
                {
                    logs.AppendLine($"--- {members[index]} ---").AppendLine(members[index].ReadLogTail(15));
                }

                throw new ZooKeeperServerStartException(
                    $"The ensemble did not form a quorum within {timeout.TotalSeconds:0.#} s; modes: {Describe(modes)}.",
                    logs.ToString());
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills (SIGKILL) member <paramref name="index"/>; its data and ports are kept.</summary>
    /// <param name="index">Member index.</param>
    /// <param name="cancellationToken">Cancels waiting for the exit.</param>
    /// <returns>A task completing when the JVM has exited.</returns>
    public Task KillAsync(int index, CancellationToken cancellationToken = default) => Member(index).KillAsync(cancellationToken);

    /// <summary>Stops member <paramref name="index"/> gracefully; its data and ports are kept.</summary>
    /// <param name="index">Member index.</param>
    /// <param name="cancellationToken">Cancels waiting for the exit.</param>
    /// <returns>A task completing when the JVM has exited.</returns>
    public Task StopAsync(int index, CancellationToken cancellationToken = default) => Member(index).StopAsync(cancellationToken);

    /// <summary>
    /// Starts member <paramref name="index"/> again and waits until it serves, which needs a quorum of running members.
    /// </summary>
    /// <param name="index">Member index.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when the member serves.</returns>
    public Task StartAsync(int index, CancellationToken cancellationToken = default) => Member(index).StartAsync(cancellationToken);

    /// <summary>Stops then starts member <paramref name="index"/>.</summary>
    /// <param name="index">Member index.</param>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task completing when the member serves again.</returns>
    public Task RestartAsync(int index, CancellationToken cancellationToken = default) => Member(index).RestartAsync(cancellationToken);

    /// <summary>Kills every member, waits for the JVMs to exit and deletes a temporary data directory.</summary>
    /// <returns>A task completing when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(members.Select(member => member.DisposeAsync().AsTask())).ConfigureAwait(false);
        tls?.Dispose();
        if (ownedRoot is not null)
        {
            await ZooKeeperTestServer.DeleteDirectoryAsync(ownedRoot).ConfigureAwait(false);
        }
    }

    private static string Describe(IReadOnlyList<ZooKeeperServerMode> modes) =>
        string.Join(", ", modes.Select((mode, index) => $"#{index}={mode}"));

    private ZooKeeperTestServer Member(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, members.Length);
        return members[index];
    }
}
