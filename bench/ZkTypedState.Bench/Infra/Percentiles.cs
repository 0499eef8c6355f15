namespace ZkTypedState.Bench.Infra;

/// <summary>Summary statistics of latency samples.</summary>
public static class Percentiles
{
    /// <summary>The nearest-rank percentile (<paramref name="p"/> in 0..100) of samples sorted ascending.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(sorted));
        }

        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>p50, p99 and mean of <paramref name="samples"/>.</summary>
    public static (double P50, double P99, double Mean) Summarize(IEnumerable<double> samples)
    {
        double[] sorted = [.. samples];
        Array.Sort(sorted);
        return (Of(sorted, 50), Of(sorted, 99), sorted.Average());
    }
}
