using System.Runtime.CompilerServices;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>
/// Counts <see cref="TaskScheduler.UnobservedTaskException"/> for the whole test run, from the moment the assembly
/// loads: a faulted task nobody looked at is a bug anywhere in the client, whichever test provoked it.
/// </summary>
public static class UnobservedExceptions
{
    private static readonly List<Exception> Seen = [];

    [ModuleInitializer]
    internal static void Install() => TaskScheduler.UnobservedTaskException += (_, e) =>
    {
        lock (Seen)
        {
            Seen.Add(e.Exception);
        }
    };

    /// <summary>Finalizes every unreachable task (so an unobserved fault is reported now) and asserts none was reported so far.</summary>
    public static void AssertNone()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        lock (Seen)
        {
            Assert.True(Seen.Count == 0, $"{Seen.Count} unobserved task exception(s) in this test run; first: {Seen.FirstOrDefault()}");
        }
    }
}
