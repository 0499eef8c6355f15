using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>Stop, start, kill and dispose: each test owns its server.</summary>
public sealed class ZooKeeperTestServerLifecycleTests
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("kept across restarts");

    [Fact]
    public async Task Stop_then_start_keeps_port_and_data()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(StandaloneServerFixture.FastOptions());
        var port = server.Port;
        await WriteNodeAsync(server, "/stop-start");
        var before = FourLetterWords.ParseFields(await server.SendFourLetterWordAsync("srvr"));

        await server.StopAsync();

        Assert.False(server.IsRunning);
        Assert.Null(server.ProcessId);
        await Assert.ThrowsAnyAsync<SocketException>(() => server.SendFourLetterWordAsync("srvr"));

        await server.StartAsync();

        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        var after = FourLetterWords.ParseFields(await server.SendFourLetterWordAsync("srvr"));
        Assert.Equal("standalone", after["Mode"]);
        Assert.Equal(before["Node count"], after["Node count"]);
        Assert.Equal(before["Zxid"], after["Zxid"]);
        Assert.NotEqual("0x0", after["Zxid"]);
        await AssertNodeAsync(server, "/stop-start");
    }

    [Fact]
    public async Task Kill_ends_the_process_and_start_recovers_the_data()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(StandaloneServerFixture.FastOptions());
        await WriteNodeAsync(server, "/killed");
        var pid = server.ProcessId!.Value;

        await server.KillAsync();

        Assert.False(server.IsRunning);
        Assert.False(ProcessExists(pid), $"JVM {pid} still exists after KillAsync.");
        await Assert.ThrowsAnyAsync<SocketException>(() => server.SendFourLetterWordAsync("srvr"));

        await server.StartAsync();

        Assert.Equal(ZooKeeperServerMode.Standalone, await server.GetModeAsync());
        Assert.NotEqual(pid, server.ProcessId);
        await AssertNodeAsync(server, "/killed");
    }

    [Fact]
    public async Task A_jvm_killed_from_outside_can_be_started_again()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(StandaloneServerFixture.FastOptions());
        using (var jvm = Process.GetProcessById(server.ProcessId!.Value))
        {
            jvm.Kill();
            await jvm.WaitForExitAsync();
        }

        await Poll.UntilAsync(() => !server.IsRunning, "the harness notices the dead JVM");
        await server.StartAsync();

        Assert.True(server.IsRunning);
        Assert.Equal(ZooKeeperServerMode.Standalone, await server.GetModeAsync());
    }

    [Fact]
    public async Task Restart_runs_a_new_jvm_on_the_same_port()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(StandaloneServerFixture.FastOptions());
        var (port, pid) = (server.Port, server.ProcessId);

        await server.RestartAsync();

        Assert.Equal(port, server.Port);
        Assert.NotEqual(pid, server.ProcessId);
        Assert.Equal(ZooKeeperServerMode.Standalone, await server.GetModeAsync());
    }

    [Fact]
    public async Task Dispose_kills_the_jvm_and_deletes_the_temporary_data_directory()
    {
        var server = await ZooKeeperTestServer.StartAsync(StandaloneServerFixture.FastOptions());
        var pid = server.ProcessId!.Value;
        var directory = server.DataDirectory;

        await server.DisposeAsync();

        Assert.False(server.IsRunning);
        Assert.False(ProcessExists(pid), $"JVM {pid} still exists after DisposeAsync.");
        Assert.False(Directory.Exists(directory));
        await server.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Given_port_and_data_directory_are_used_and_the_directory_is_kept()
    {
        var directory = Path.Combine(Path.GetTempPath(), "zktypedstate-tests", Guid.NewGuid().ToString("N"));
        var port = FreeLoopbackPort();
        try
        {
            var options = StandaloneServerFixture.FastOptions();
            options.Port = port;
            options.DataDirectory = directory;
            options.ExtraConfig["maxClientCnxns"] = "50";
            options.ContainerCheckIntervalMs = 1000;

            await using (var server = await ZooKeeperTestServer.StartAsync(options))
            {
                Assert.Equal(port, server.Port);
                Assert.Equal(Path.GetFullPath(directory), server.DataDirectory);
                var conf = FourLetterWords.ParseFields(await server.SendFourLetterWordAsync("conf"));
                Assert.Equal("50", conf["maxClientCnxns"]);
                Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), conf["clientPort"]);
            }

            Assert.True(File.Exists(Path.Combine(directory, "zoo.cfg")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_retries_while_the_port_is_taken_and_serves_once_it_is_free()
    {
        var directory = Path.Combine(Path.GetTempPath(), "zktypedstate-tests", Guid.NewGuid().ToString("N"));
        var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        try
        {
            var options = StandaloneServerFixture.FastOptions();
            options.Port = port;
            options.DataDirectory = directory;
            var starting = ZooKeeperTestServer.StartAsync(options);

            var log = Path.Combine(directory, "server.log");
            await Poll.UntilAsync(
                () => File.Exists(log) && ReadShared(log).Contains("Address already in use", StringComparison.Ordinal),
                "the JVM reports the taken port");
            squatter.Stop();

            await using var server = await starting;
            Assert.Equal(port, server.Port);
            Assert.Equal(ZooKeeperServerMode.Standalone, await server.GetModeAsync());
        }
        finally
        {
            squatter.Stop();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_jvm_that_exits_while_starting_fails_fast_with_its_log()
    {
        var options = StandaloneServerFixture.FastOptions();
        options.ExtraConfig["tickTime"] = "not-a-number";

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ZooKeeperServerStartException>(() => ZooKeeperTestServer.StartAsync(options));

        Assert.Contains("exited", error.Message, StringComparison.Ordinal);
        Assert.Contains("not-a-number", error.LogTail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Start_timeout_fails_with_the_log_and_leaves_no_jvm()
    {
        var directory = Path.Combine(Path.GetTempPath(), "zktypedstate-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var options = StandaloneServerFixture.FastOptions();
            options.DataDirectory = directory;
            options.StartTimeout = TimeSpan.FromMilliseconds(1);

            var error = await Assert.ThrowsAsync<ZooKeeperServerStartException>(() => ZooKeeperTestServer.StartAsync(options));

            Assert.Contains("did not report a serving mode", error.Message, StringComparison.Ordinal);
            if (OperatingSystem.IsLinux())
            {
                Assert.Empty(JvmsUsing(directory));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteNodeAsync(ZooKeeperTestServer server, string path)
    {
        await using var connection = await RawZooKeeperConnection.ConnectAsync(server.Host, server.Port);
        Assert.Equal(0, await connection.CreateAsync(path, Payload));
        Assert.Equal(0, await connection.CloseSessionAsync());
    }

    private static async Task AssertNodeAsync(ZooKeeperTestServer server, string path)
    {
        await using var connection = await RawZooKeeperConnection.ConnectAsync(server.Host, server.Port);
        var (error, data) = await connection.GetDataAsync(path);
        Assert.Equal(0, error);
        Assert.Equal(Payload, data);
        Assert.Equal(0, await connection.CloseSessionAsync());
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static List<int> JvmsUsing(string directory)
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline"));
                if (commandLine.Contains("QuorumPeerMain", StringComparison.Ordinal) && commandLine.Contains(directory, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Exited meanwhile.
            }
        }

        return pids;
    }
}
