using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ZkTypedState.Testing;

/// <summary>
/// Makes sure ZooKeeper JVMs do not outlive the test process: live JVMs are killed on
/// <see cref="AppDomain.ProcessExit"/>, and each JVM is recorded in a pid file so that JVMs (and temporary data
/// directories) left behind by a test process that died abruptly are cleaned up by the next one.
/// </summary>
internal static class JvmProcessTracker
{
    private static readonly ConcurrentDictionary<int, (Process Process, string? TemporaryDirectory)> Live = new();
    private static readonly object InitLock = new();
    private static bool initialized;

    /// <summary>The parent of the harness's temporary directories.</summary>
    public static string TemporaryRoot { get; } = Path.Combine(Path.GetTempPath(), "zktypedstate-testing");

    /// <summary>Directory of the pid files.</summary>
    public static string PidDirectory { get; } = Path.Combine(TemporaryRoot, "jvms");

    /// <summary>Starts tracking a freshly started JVM.</summary>
    /// <param name="process">The JVM.</param>
    /// <param name="temporaryDirectory">A directory to delete if the JVM is later found orphaned, or <see langword="null"/>.</param>
    public static void Register(Process process, string? temporaryDirectory)
    {
        EnsureInitialized();
        Live[process.Id] = (process, temporaryDirectory);
        try
        {
            using var self = Process.GetCurrentProcess();
            var lines = new[]
            {
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                self.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
                process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
                temporaryDirectory ?? string.Empty,
            };
            File.WriteAllLines(PidFile(process.Id), lines);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Best effort: the ProcessExit hook and DisposeAsync still clean up.
        }
    }

    /// <summary>Stops tracking a JVM that has exited.</summary>
    public static void Unregister(int processId)
    {
        Live.TryRemove(processId, out _);
        TryDelete(PidFile(processId));
    }

    private static string PidFile(int processId) =>
        Path.Combine(PidDirectory, processId.ToString(CultureInfo.InvariantCulture) + ".pid");

    private static void EnsureInitialized()
    {
        lock (InitLock)
        {
            if (initialized)
            {
                return;
            }

            initialized = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            try
            {
                Directory.CreateDirectory(PidDirectory);
                SweepOrphans();
                SweepAbandonedDirectories();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        }
    }

    private static void KillAll()
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (processId, (process, directory)) in Live)
        {
            if (directory is not null)
            {
                directories.Add(directory);
            }

            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }

            Unregister(processId);
        }

        foreach (var directory in directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>
    /// Deletes temporary directories (named <c>prefix-ownerPid-guid</c>) whose owning test process is gone but
    /// whose JVMs had no pid file (for example because they had already exited).
    /// </summary>
    private static void SweepAbandonedDirectories()
    {
        foreach (var directory in Directory.EnumerateDirectories(TemporaryRoot))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length != 3
                || parts[2].Length != 32
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ownerPid)
                || ownerPid == Environment.ProcessId
                || ProcessExists(ownerPid))
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // In use or already gone.
            }
        }
    }

    private static bool ProcessExists(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void SweepOrphans()
    {
        foreach (var file in Directory.EnumerateFiles(PidDirectory, "*.pid"))
        {
            try
            {
                var lines = File.ReadAllLines(file);
                if (lines.Length < 3
                    || !int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var jvmPid)
                    || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ownerPid)
                    || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ownerStart)
                    || !long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var jvmStart))
                {
                    TryDelete(file);
                    continue;
                }

                if (IsAlive(ownerPid, ownerStart))
                {
                    continue;
                }

                KillIfSame(jvmPid, jvmStart);
                if (lines.Length > 3 && lines[3].Length > 0 && Directory.Exists(lines[3]))
                {
                    Directory.Delete(lines[3], recursive: true);
                }

                TryDelete(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another process may be sweeping the same file.
            }
        }
    }

    private static bool IsAlive(int processId, long startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited && SameStart(process, startTicks);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static void KillIfSame(int processId, long startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            if (!process.HasExited && SameStart(process, startTicks))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Gone already.
        }
    }

    private static bool SameStart(Process process, long startTicks) =>
        Math.Abs(process.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond;

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
