namespace ZkTypedState.Bench.Infra;

/// <summary>Bounded waits that fail with a message saying what did not happen.</summary>
public static class Waits
{
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what, CancellationToken ct)
    {
        try
        {
            return await task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new BenchFailure($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
        }
    }

    public static async Task WithinAsync(Task task, TimeSpan timeout, string what, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new BenchFailure($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
        }
    }
}
