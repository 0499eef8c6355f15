using System.Diagnostics;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>Polls a condition with a deadline, for state that offers no event to await.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting until {description}.");
            }

            await Task.Delay(20);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string description, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), description, timeout);

    /// <summary>Polls until <paramref name="read"/> returns <paramref name="expected"/>; asserts it in the end.</summary>
    public static async Task UntilEqualAsync<T>(T expected, Func<Task<T>> read, string description, TimeSpan? timeout = null)
    {
        var last = default(T);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            last = await read();
            if (EqualityComparer<T>.Default.Equals(last, expected) || clock.Elapsed > limit)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.True(EqualityComparer<T>.Default.Equals(last, expected), $"{description}: expected {expected}, last saw {last}.");
    }
}
