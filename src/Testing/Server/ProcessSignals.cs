using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ZkTypedState.Testing;

/// <summary>Graceful termination of child processes (SIGTERM on Unix, which .NET's <see cref="Process"/> lacks).</summary>
internal static class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>
    /// Asks <paramref name="process"/> to terminate (SIGTERM). Returns <see langword="false"/> when that is not
    /// possible on this platform, in which case the caller should kill it.
    /// </summary>
    public static bool TryTerminate(Process process)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Kill(process.Id, SigTerm) == 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
