using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ZkTypedState.Testing;

/// <summary>
/// A real ZooKeeper server (a <c>QuorumPeerMain</c> JVM) on a loopback port, for integration tests. Create one with
/// <see cref="StartAsync(ZooKeeperTestServerOptions?, CancellationToken)"/>; it can be stopped, killed and started
/// again on the same port with the same data. Disposing kills the JVM and deletes a temporary data directory.
/// </summary>
/// <remarks>
/// The JVM's stdout and stderr go to <see cref="LogFilePath"/>. JVMs are also killed when the test process exits,
/// and JVMs orphaned by a test process that died abruptly are killed by the next process that starts a server.
/// </remarks>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    /// <summary>The loopback address every harness server listens on.</summary>
    public const string LoopbackHost = "127.0.0.1";

    private const string MainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    private const string LogFileName = "server.log";
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    // Refused connections and 'not serving' answers are cheap; a short interval notices readiness sooner.
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(50);

    // A readiness probe must not hang on a port owned by something that never answers.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly ZooKeeperTestServerOptions options;
    private readonly IReadOnlyList<QuorumPeerEndpoint>? peers;
    private readonly int? myId;
    private readonly bool ownsDataDirectory;
    private readonly bool ownsTls;
    private readonly string? orphanCleanupDirectory;
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private readonly object logLock = new();
    private bool mayPickAnotherPort;
    private Process? process;
    private StreamWriter? logWriter;
    private long launchLogOffset;
    private int disposed;

    private ZooKeeperTestServer(
        ZooKeeperInstallation installation,
        ZooKeeperTestServerOptions options,
        string dataDirectory,
        bool ownsDataDirectory,
        string? orphanCleanupDirectory,
        int port,
        bool mayPickAnotherPort,
        int? myId,
        IReadOnlyList<QuorumPeerEndpoint>? peers,
        (ZooKeeperTestTlsCertificates Certificates, int SecurePort, bool Owned)? tls)
    {
        Installation = installation;
        this.options = options;
        DataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        this.orphanCleanupDirectory = orphanCleanupDirectory;
        Port = port;
        this.mayPickAnotherPort = mayPickAnotherPort;
        this.myId = myId;
        this.peers = peers;
        Directory.CreateDirectory(dataDirectory);
        (TlsCertificates, SecurePort, ownsTls) = (tls?.Certificates, tls?.SecurePort, tls?.Owned ?? false);
        TlsCertificates?.WriteStores(dataDirectory);
        WriteConfiguration();
    }

    /// <summary>The host clients connect to: always <c>127.0.0.1</c>.</summary>
    public string Host => LoopbackHost;

    /// <summary>The client port. It stays the same across <see cref="StopAsync"/>/<see cref="StartAsync(CancellationToken)"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The connection string for this server alone: <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The TLS port (<c>secureClientPort</c>) in a TLS mode, else <see langword="null"/>. Kept across restarts.</summary>
    public int? SecurePort { get; private set; }

    /// <summary>The connection string for the TLS port (<c>127.0.0.1:securePort</c>), or <see langword="null"/> without TLS.</summary>
    public string? SecureConnectionString => SecurePort is { } secure ? string.Create(CultureInfo.InvariantCulture, $"{Host}:{secure}") : null;

    /// <summary>The generated CA, server and client certificates in a TLS mode (see <see cref="ZooKeeperTestServerOptions.TlsMode"/>), else <see langword="null"/>.</summary>
    public ZooKeeperTestTlsCertificates? TlsCertificates { get; }

    /// <summary>The directory holding the server's data, <c>zoo.cfg</c> and log.</summary>
    public string DataDirectory { get; }

    /// <summary>The generated <c>zoo.cfg</c>.</summary>
    public string ConfigFilePath => Path.Combine(DataDirectory, ZooKeeperConfigFile.ConfigFileName);

    /// <summary>The file receiving the JVM's stdout and stderr (appended to across restarts).</summary>
    public string LogFilePath => Path.Combine(DataDirectory, LogFileName);

    /// <summary>The Java runtime and ZooKeeper class path used to launch the server.</summary>
    public ZooKeeperInstallation Installation { get; }

    /// <summary>The ensemble member id (<c>myid</c>), or <see langword="null"/> for a standalone server.</summary>
    public int? ServerId => myId;

    /// <summary>Whether the JVM is running (it may not be serving yet, or no longer have a quorum).</summary>
    public bool IsRunning
    {
        get
        {
            var current = Volatile.Read(ref process);
            if (current is null)
            {
                return false;
            }

            try
            {
                return !current.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>The JVM's process id while it runs, else <see langword="null"/>.</summary>
    public int? ProcessId
    {
        get
        {
            try
            {
                return IsRunning ? Volatile.Read(ref process)?.Id : null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Locates Java and ZooKeeper, starts a standalone server and waits until <c>srvr</c> reports
    /// <c>Mode: standalone</c>.
    /// </summary>
    /// <param name="options">Settings; <see langword="null"/> for defaults. The instance is copied.</param>
    /// <param name="cancellationToken">Cancels the start (the JVM is then killed).</param>
    /// <returns>The serving server.</returns>
    /// <exception cref="ZooKeeperInstallationNotFoundException">Java or the ZooKeeper jars are missing.</exception>
    /// <exception cref="ZooKeeperServerStartException">The server did not serve within the start timeout.</exception>
    public static async Task<ZooKeeperTestServer> StartAsync(ZooKeeperTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copy = options?.Clone() ?? new ZooKeeperTestServerOptions();
        copy.Validate();
        var installation = ZooKeeperInstallation.Locate(copy);
        var ownsDirectory = copy.DataDirectory is null;
        var dataDirectory = copy.DataDirectory is { } given ? Path.GetFullPath(given) : CreateTemporaryDirectory("zk");
        var port = copy.Port ?? FreePorts.PickOne();
        (ZooKeeperTestTlsCertificates, int, bool)? tls = copy.TlsMode == ZooKeeperTestTlsMode.None ? null : (ZooKeeperTestTlsCertificates.Generate(), ZooKeeperTlsConfig.PickSecurePort(port), true);
        var server = new ZooKeeperTestServer(
            installation,
            copy,
            dataDirectory,
            ownsDirectory,
            ownsDirectory ? dataDirectory : null,
            port,
            mayPickAnotherPort: copy.Port is null,
            myId: null,
            peers: null,
            tls);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>
    /// Starts the JVM again (same port, same data) and waits until it serves. Does nothing but wait if it is
    /// already running. An ensemble member only serves once it has a quorum.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the JVM keeps running).</param>
    /// <returns>A task completing when the server serves.</returns>
    /// <exception cref="ZooKeeperServerStartException">The server did not serve within the start timeout (the JVM is then killed).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (!IsRunning)
            {
                await LaunchAfterReapingAsync().ConfigureAwait(false);
            }

            await WaitUntilServingCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the JVM gracefully (SIGTERM, then SIGKILL after 10 s). Data and port are kept.</summary>
    /// <param name="cancellationToken">Cancels waiting for the exit.</param>
    /// <returns>A task completing when the JVM has exited.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopProcessAsync(graceful: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Kills the JVM (SIGKILL, like a crash) and waits for it to exit. Data and port are kept.</summary>
    /// <param name="cancellationToken">Cancels waiting for the exit.</param>
    /// <returns>A task completing when the JVM has exited.</returns>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopProcessAsync(graceful: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary><see cref="StopAsync"/> then <see cref="StartAsync(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task completing when the server serves again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the running JVM reports a serving mode through <c>srvr</c> (standalone, leader, follower, …).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when the server serves.</returns>
    /// <exception cref="ZooKeeperServerStartException">Not serving within the start timeout, or the JVM is not running.</exception>
    public async Task WaitUntilServingAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            await WaitUntilServingCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Sends a four-letter word (<c>srvr</c>, <c>cons</c>, <c>mntr</c>, <c>stat</c>, …) and returns the answer.</summary>
    /// <param name="word">The four-letter word.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="SocketException">The server is not reachable.</exception>
    public Task<string> SendFourLetterWordAsync(string word, CancellationToken cancellationToken = default) =>
        FourLetterWords.SendAsync(Host, Port, word, cancellationToken);

    /// <summary>The mode reported by <c>srvr</c>, or <see cref="ZooKeeperServerMode.NotServing"/> when unreachable or not serving.</summary>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The mode.</returns>
    public Task<ZooKeeperServerMode> GetModeAsync(CancellationToken cancellationToken = default) =>
        GetModeAsync(FourLetterWords.DefaultTimeout, cancellationToken);

    /// <summary>The number of client connections, from <c>cons</c>, not counting the connection asking.</summary>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The number of connections.</returns>
    public async Task<int> GetClientConnectionCountAsync(CancellationToken cancellationToken = default)
    {
        var (response, localPort) = await FourLetterWords.SendWithLocalPortAsync(Host, Port, "cons", FourLetterWords.DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return FourLetterWords.CountConnections(response, localPort);
    }

    /// <summary>The last lines of <see cref="LogFilePath"/>.</summary>
    /// <param name="lines">How many lines.</param>
    /// <returns>The lines, joined with newlines.</returns>
    public string ReadLogTail(int lines = 40) => ReadLogTail(lines, fromOffset: 0);

    /// <summary>Kills the JVM, waits for it to exit and deletes a temporary data directory. Never leaves a JVM behind.</summary>
    /// <returns>A task completing when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Kill first, so that a start waiting for this JVM (holding the lifecycle lock) ends at once.
        try
        {
            Volatile.Read(ref process)?.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Not running.
        }

        await lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopProcessAsync(graceful: false, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }

        if (ownsDataDirectory)
        {
            await DeleteDirectoryAsync(DataDirectory).ConfigureAwait(false);
        }

        if (ownsTls)
        {
            TlsCertificates?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        myId is { } id ? $"ZooKeeper member {id} at {ConnectionString}" : $"ZooKeeper server at {ConnectionString}";

    internal static ZooKeeperTestServer CreateMember(
        ZooKeeperInstallation installation,
        ZooKeeperTestServerOptions options,
        string dataDirectory,
        string? orphanCleanupDirectory,
        QuorumPeerEndpoint self,
        IReadOnlyList<QuorumPeerEndpoint> peers,
        (ZooKeeperTestTlsCertificates Certificates, int SecurePort, bool Owned)? tls) =>
        new(installation, options, dataDirectory, ownsDataDirectory: false, orphanCleanupDirectory, self.ClientPort, mayPickAnotherPort: false, self.Id, peers, tls);

    internal static string CreateTemporaryDirectory(string prefix)
    {
        var path = Path.Combine(
            JvmProcessTracker.TemporaryRoot,
            string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(path);
        return path;
    }

    internal static async Task DeleteDirectoryAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception exception) when ((exception is IOException or UnauthorizedAccessException) && attempt < 20)
            {
                // A just-killed JVM may still be releasing files (Windows), or the log writer is closing.
                await Task.Delay(50).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    /// <summary>Starts the JVM without waiting for it to serve (used to start ensemble members together).</summary>
    internal async Task LaunchAsync(CancellationToken cancellationToken)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (!IsRunning)
            {
                await LaunchAfterReapingAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            lifecycle.Release();
        }
    }

    private async Task LaunchAfterReapingAsync()
    {
        // A JVM that died on its own (or was killed from outside) is cleaned up before the next one starts.
        if (process is { } exited)
        {
            await ReapAsync(exited).ConfigureAwait(false);
        }

        Launch();
    }

    private void WriteConfiguration()
    {
        var tlsLines = TlsCertificates is null ? null : ZooKeeperTlsConfig.Entries(options.TlsMode, SecurePort!.Value, TlsCertificates, DataDirectory);
        File.WriteAllText(ConfigFilePath, ZooKeeperConfigFile.Render(options, DataDirectory, Port, peers, tlsLines));
        File.WriteAllText(Path.Combine(DataDirectory, ZooKeeperConfigFile.Log4jFileName), ZooKeeperConfigFile.Log4jProperties);
        if (myId is { } id)
        {
            File.WriteAllText(Path.Combine(DataDirectory, "myid"), id.ToString(CultureInfo.InvariantCulture) + "\n");
        }
    }

    private List<string> BuildArguments()
    {
        var log4j = new Uri(Path.Combine(DataDirectory, ZooKeeperConfigFile.Log4jFileName)).AbsoluteUri;
        var arguments = new List<string>
        {
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            "-Djava.awt.headless=true",
            "-Dzookeeper.log.dir=" + DataDirectory,
            "-Dzookeeper.root.logger=INFO,CONSOLE",
            "-Dzookeeper.console.threshold=INFO",
            "-Dlog4j.configuration=" + log4j,
            "-Dzookeeper.jmx.log4j.disable=true",
            "-Dzookeeper.admin.enableServer=false",
            "-Dzookeeper.extendedTypesEnabled=" + (options.ExtendedTypesEnabled ? "true" : "false"),
        };
        if (options.ContainerCheckIntervalMs is { } interval)
        {
            arguments.Add("-Dznode.container.checkIntervalMs=" + interval.ToString(CultureInfo.InvariantCulture));
        }

        arguments.AddRange(options.ExtraJvmArguments);
        arguments.Add("-cp");
        arguments.Add(Installation.ClassPathString);
        arguments.Add(MainClass);
        arguments.Add(ConfigFilePath);
        return arguments;
    }

    private void Launch()
    {
        var startInfo = new ProcessStartInfo(Installation.JavaPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        var arguments = BuildArguments();
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        lock (logLock)
        {
            logWriter?.Dispose();
            var stream = new FileStream(LogFilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            launchLogOffset = stream.Length;
            logWriter = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            logWriter.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"=== ZkTypedState.Testing: {DateTimeOffset.Now:O} starting {this} ({Installation.Description})"));
            logWriter.WriteLine("=== " + Installation.JavaPath + " " + string.Join(' ', arguments));
        }

        var started = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) => AppendLog(e.Data);
        started.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        try
        {
            started.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            started.Dispose();
            throw new ZooKeeperInstallationNotFoundException(
                $"Could not run Java at '{Installation.JavaPath}': {exception.Message}", exception);
        }

        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        started.StandardInput.Close();
        JvmProcessTracker.Register(started, orphanCleanupDirectory);
        Volatile.Write(ref process, started);
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logLock)
        {
            try
            {
                logWriter?.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The writer was closed after the JVM exited.
            }
        }
    }

    private async Task WaitUntilServingCoreAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(10);
        var verifiedOwnPort = false;
        (Process? Process, Task? Exited) exitWatch = (null, null);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            var current = process ?? throw new ZooKeeperServerStartException($"{this} is not running.", ReadLogTail(40, 0));
            if (current.HasExited)
            {
                // HasExited can be true before the last output lines reached the log: WaitForExitAsync waits for the
                // redirected streams' EOF, so the tail read after it is complete.
                await current.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                var output = ReadLogTail(60, launchLogOffset);
                if (clock.Elapsed < options.StartTimeout && output.Contains("Address already in use", StringComparison.Ordinal))
                {
                    // The port was taken between picking and binding (or is still held after a kill): retry.
                    await ReapAsync(current).ConfigureAwait(false);
                    if (mayPickAnotherPort)
                    {
                        Port = FreePorts.PickOne();
                        SecurePort = SecurePort is null ? null : ZooKeeperTlsConfig.PickSecurePort(Port);
                        WriteConfiguration();
                    }
                    else
                    {
                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                    }

                    Launch();
                    verifiedOwnPort = false;
                    continue;
                }

                var exitCode = current.ExitCode;
                await ReapAsync(current).ConfigureAwait(false);
                throw new ZooKeeperServerStartException($"{this}: the JVM exited with code {exitCode} while starting.", output);
            }

            var mode = await GetModeAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false);
            if (mode != ZooKeeperServerMode.NotServing)
            {
                // Make sure the answer came from our JVM, not from another process that owns the port.
                verifiedOwnPort = verifiedOwnPort || await AnswersWithOwnDataDirectoryAsync(cancellationToken).ConfigureAwait(false);
                if (verifiedOwnPort && !current.HasExited && (SecurePort is not { } secure || await ZooKeeperTlsConfig.AcceptsAsync(Host, secure, ProbeTimeout, cancellationToken).ConfigureAwait(false)))
                {
                    mayPickAnotherPort = false;
                    return;
                }
            }

            if (clock.Elapsed >= options.StartTimeout)
            {
                await StopProcessAsync(graceful: false, CancellationToken.None).ConfigureAwait(false);
                throw new ZooKeeperServerStartException(
                    $"{this} did not report a serving mode through 'srvr' within {options.StartTimeout.TotalSeconds:0.#} s.",
                    ReadLogTail(60, launchLogOffset));
            }

            // Wake early if the JVM dies.
            if (exitWatch.Process != current)
            {
                exitWatch = (current, current.WaitForExitAsync(CancellationToken.None));
            }

            await Task.WhenAny(exitWatch.Exited!, Task.Delay(delay, cancellationToken)).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, MaxPollInterval.TotalMilliseconds));
        }
    }

    private async Task<ZooKeeperServerMode> GetModeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var (srvr, _) = await FourLetterWords.SendWithLocalPortAsync(Host, Port, "srvr", timeout, cancellationToken).ConfigureAwait(false);
            return FourLetterWords.ParseMode(srvr);
        }
        catch (Exception exception) when (exception is SocketException or IOException or TimeoutException)
        {
            return ZooKeeperServerMode.NotServing;
        }
    }

    private async Task<bool> AnswersWithOwnDataDirectoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (conf, _) = await FourLetterWords.SendWithLocalPortAsync(Host, Port, "conf", ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return conf.Contains(ZooKeeperConfigFile.JavaPath(DataDirectory), StringComparison.Ordinal)
                || conf.Contains("not in the whitelist", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private async Task StopProcessAsync(bool graceful, CancellationToken cancellationToken)
    {
        var current = process;
        if (current is null)
        {
            return;
        }

        if (!current.HasExited)
        {
            if (graceful && ProcessSignals.TryTerminate(current))
            {
                using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                grace.CancelAfter(StopGracePeriod);
                try
                {
                    await current.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Did not stop in time: kill below.
                }
            }

            try
            {
                current.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }

        await current.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await ReapAsync(current).ConfigureAwait(false);
    }

    private async Task ReapAsync(Process exited)
    {
        // Drains the redirected output (WaitForExitAsync waits for EOF), then releases everything.
        await exited.WaitForExitAsync().ConfigureAwait(false);
        JvmProcessTracker.Unregister(exited.Id);
        Interlocked.CompareExchange(ref process, null, exited);
        exited.Dispose();
        lock (logLock)
        {
            logWriter?.Dispose();
            logWriter = null;
        }
    }

    private string ReadLogTail(int lines, long fromOffset)
    {
        try
        {
            using var stream = new FileStream(LogFilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            const int MaxBytes = 64 * 1024;
            var start = Math.Max(fromOffset, stream.Length - MaxBytes);
            stream.Seek(Math.Min(start, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines + 1)).TrimEnd();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
}
