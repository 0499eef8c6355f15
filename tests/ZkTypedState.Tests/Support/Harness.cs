using System.Diagnostics;

namespace ZkTypedState.Tests.Support;

/// <summary>Polling with a deadline, for state that raises no event.</summary>
internal static class Harness
{
    public static async Task UntilAsync(Func<bool> condition, string description)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Timeouts.Event, $"Timed out waiting until {description}.");
            await Task.Delay(20);
        }
    }
}
