using System.Diagnostics;

namespace ZkTypedState.Bench.Infra;

/// <summary>Monotonic timestamps (Stopwatch ticks) and conversions.</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Us(long from, long to) => (to - from) * 1_000_000.0 / Stopwatch.Frequency;

    public static double MsSince(long from) => Ms(from, Now);
}

/// <summary>Diagnostics on stderr (stdout carries only the result line).</summary>
public static class Log
{
    private static readonly long Start = Clock.Now;

    public static void Info(string message) => Console.Error.WriteLine($"[bench {Clock.MsSince(Start),8:0} ms] {message}");
}
