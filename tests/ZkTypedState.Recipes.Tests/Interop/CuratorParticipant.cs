using System.Diagnostics;
using System.Threading.Channels;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests.Interop;

/// <summary>
/// Compiles (once) and runs <c>Interop/Java/LatchParticipant.java</c> (a Curator LeaderLatch participant) and
/// <c>MutexParticipant.java</c> (a Curator InterProcessMutex holder) against the Debian-packaged Curator jars, and talks
/// to them over stdin/stdout lines. Their shared scaffolding (client, STARTED line, command loop) is <c>ParticipantHost.java</c>,
/// compiled with them (every *.java of the folder).
/// </summary>
public sealed class CuratorJava : IAsyncLifetime
{
    /// <summary>The Curator jars (their manifests name guava, slf4j-api, zookeeper and zookeeper-jute).</summary>
    private static readonly string[] RequiredJars =
    [
        "/usr/share/java/curator-recipes.jar",
        "/usr/share/java/curator-framework.jar",
        "/usr/share/java/curator-client.jar",
        "/usr/share/java/zookeeper.jar",
        "/usr/share/java/zookeeper-jute.jar",
        "/usr/share/java/guava.jar",
        "/usr/share/java/slf4j-api.jar",
    ];

    private string? _classes;

    public string ClassPath { get; private set; } = string.Empty;

    public string Java { get; private set; } = "java";

    public async Task InitializeAsync()
    {
        string[] missing = RequiredJars.Where(j => !File.Exists(j)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"Apache Curator is not installed: missing {string.Join(", ", missing)}. Install the Debian packages " +
                "libcurator-recipes-java libcurator-framework-java libcurator-client-java (./build.sh test does it).");
        }

        string javac = FindTool("javac")
            ?? throw new InvalidOperationException("javac was not found (JAVA_HOME/bin or PATH): install a JDK, e.g. `apt-get install default-jdk-headless`.");
        Java = FindTool("java") ?? "java";

        // slf4j-nop keeps Curator quiet; without it slf4j prints one warning and logs nothing, which is fine too.
        var jars = new List<string>(RequiredJars);
        if (File.Exists("/usr/share/java/slf4j-nop.jar"))
        {
            jars.Add("/usr/share/java/slf4j-nop.jar");
        }

        _classes = Directory.CreateTempSubdirectory("zkts-curator-").FullName;
        string[] sources = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Interop", "Java"), "*.java");
        string compileClassPath = string.Join(Path.PathSeparator, jars);
        (int exit, string text) = await RunAsync(javac, ["-d", _classes, "-cp", compileClassPath, .. sources]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"javac failed ({exit}):\n{text}");
        }

        ClassPath = string.Join(Path.PathSeparator, [_classes, .. jars]);
    }

    public Task DisposeAsync()
    {
        if (_classes is not null)
        {
            try
            {
                Directory.Delete(_classes, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }

    public CuratorParticipant Start(string connectionString, string latchPath, string id, int sessionTimeoutMs = 2000) =>
        CuratorParticipant.Start(this, "LatchParticipant", connectionString, latchPath, id, sessionTimeoutMs);

    /// <summary>A Curator InterProcessMutex holder (<c>Interop/Java/MutexParticipant.java</c>) on <paramref name="lockPath"/>.</summary>
    public CuratorParticipant StartMutex(string connectionString, string lockPath, string id, int sessionTimeoutMs = 2000) =>
        CuratorParticipant.Start(this, "MutexParticipant", connectionString, lockPath, id, sessionTimeoutMs);

    private static string? FindTool(string name)
    {
        string? home = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrEmpty(home) && File.Exists(Path.Combine(home, "bin", name)))
        {
            return Path.Combine(home, "bin", name);
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>One running Java LeaderLatch participant.</summary>
public sealed class CuratorParticipant : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _leader = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<long> _acquired = Channel.CreateUnbounded<long>();

    private CuratorParticipant(Process process, string id)
    {
        _process = process;
        Id = id;
    }

    public string Id { get; }

    public string? SessionIdHex { get; private set; }

    public bool HasExited => _process.HasExited;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    internal static CuratorParticipant Start(CuratorJava java, string mainClass, string connectionString, string latchPath, string id, int sessionTimeoutMs)
    {
        var info = new ProcessStartInfo(java.Java)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", java.ClassPath, mainClass, connectionString, latchPath, id, sessionTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var participant = new CuratorParticipant(process, id);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                participant._lines.Writer.TryComplete();
            }
            else if (e.Data == "LEADER")
            {
                participant._leader.TrySetResult();
            }
            else if (e.Data.StartsWith("ACQUIRED ", StringComparison.Ordinal))
            {
                participant._acquired.Writer.TryWrite(Convert.ToInt64(e.Data["ACQUIRED ".Length..], 16));
            }
            else
            {
                participant._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (participant._stderr)
                {
                    participant._stderr.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return participant;
    }

    /// <summary>Waits for the STARTED line (the latch is started and the session is connected).</summary>
    public async Task WaitStartedAsync()
    {
        string line = await WaitForLineAsync(l => l.StartsWith("STARTED ", StringComparison.Ordinal) || l.StartsWith("ERROR", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
        Assert.StartsWith("STARTED ", line);
        SessionIdHex = line["STARTED ".Length..];
    }

    /// <summary>Completes when the latch has reported leadership ("LEADER"), at once if it already did.</summary>
    public async Task WaitForLeaderAsync()
    {
        try
        {
            await _leader.Task.WaitAsync(Timeouts.Event);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The Java participant '{Id}' did not become leader (exited: {_process.HasExited}). stderr:\n{StandardError}", ex);
        }
    }

    /// <summary>Mutex holders: acquisitions reported ("ACQUIRED") and not yet taken by <see cref="NextAcquiredAsync"/>.</summary>
    public int PendingAcquisitions => _acquired.Reader.Count;

    /// <summary>Mutex holders: waits for the next "ACQUIRED" line and returns the holder node's czxid.</summary>
    public async Task<long> NextAcquiredAsync()
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        try
        {
            return await _acquired.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"The Java holder '{Id}' did not acquire the mutex (exited: {_process.HasExited}). stderr:\n{StandardError}", ex);
        }
    }

    /// <summary>Mutex holders: the participant nodes in lock order (Curator's getParticipantNodes).</summary>
    public async Task<IReadOnlyList<string>> NodesAsync()
    {
        await SendAsync("nodes");
        string line = await WaitForLineAsync(l => l.StartsWith("NODES", StringComparison.Ordinal), Timeouts.Event);
        return line.Length <= "NODES ".Length ? [] : line["NODES ".Length..].Split(',');
    }

    /// <summary>Asks for the latch's status: (hasLeadership, ourPath).</summary>
    public async Task<(bool IsLeader, string? OurPath)> StatusAsync()
    {
        await SendAsync("status");
        string line = await WaitForLineAsync(l => l.StartsWith("STATUS ", StringComparison.Ordinal), Timeouts.Event);
        string[] parts = line.Split(' ');
        return (bool.Parse(parts[1]), parts[2] == "null" ? null : parts[2]);
    }

    public async Task CloseLatchAsync()
    {
        await SendAsync("close");
        await WaitForLineAsync(l => l == "CLOSED", Timeouts.Event);
    }

    /// <summary>kill -9: the JVM dies without closing its session, which then expires on the server.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SendAsync("exit");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception)
        {
            // Fall through to the kill.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(cts.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"The Java participant '{Id}' did not print the expected line (exited: {_process.HasExited}). stderr:\n{StandardError}", ex);
        }
    }
}
