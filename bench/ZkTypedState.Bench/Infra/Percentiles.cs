namespace ZkTypedState.Bench.Infra;

/// <summary>Summary statistics of latency samples, computed as the harness's peers compute them.</summary>
public static class Percentiles
{
    /// <summary>
    /// The peers' percentile (Bench.java): <c>sorted[(int)(q * (n - 1))]</c> for <paramref name="q"/> in 0..1, so our
    /// p50/p90/p99 are picked from the samples exactly as the other peers' are.
    /// </summary>
    public static double At(IReadOnlyList<double> sorted, double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(sorted));
        }

        return sorted[(int)(q * (sorted.Count - 1))];
    }
}
