using System.Diagnostics;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Resilience;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "solo";
}

/// <summary>A server that stays down: retries stay bounded and jittered, and nothing leaks per attempt.</summary>
[Collection(SoloCollection.Name)]
public sealed class ServerDownSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_server_down_for_a_minute_gets_bounded_jittered_retries_with_flat_memory_and_threads()
    {
        TimeSpan down = TimeSpan.FromSeconds(60);
        await using var server = ScriptedZooKeeperServer.Start();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(1) });
        ScriptedConnection first = await server.AcceptAsync(Timeouts.Token());
        await first.ReadConnectRequestAsync(Timeouts.Token());
        await first.SendConnectResponseAsync(1000, sessionId: 0x55);
        await client.WaitForConnectedAsync(Timeouts.Token());

        // From now on the "server" accepts every attempt and closes it at once, as one that is down or starting.
        var clock = Stopwatch.StartNew();
        first.Close();
        var attempts = new List<TimeSpan>();
        long memoryEarly = 0;
        int threadsEarly = 0;
        while (clock.Elapsed < down)
        {
            using var slice = new CancellationTokenSource(down - clock.Elapsed);
            ScriptedConnection attempt;
            try
            {
                attempt = await server.AcceptAsync(slice.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            attempts.Add(clock.Elapsed);
            await attempt.DisposeAsync();
            if (memoryEarly == 0 && clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                memoryEarly = GC.GetTotalMemory(forceFullCollection: true);
                threadsEarly = Process.GetCurrentProcess().Threads.Count;
            }
        }

        long memoryLate = GC.GetTotalMemory(forceFullCollection: true);
        int threadsLate = Process.GetCurrentProcess().Threads.Count;
        Assert.Equal(ZooKeeperState.SessionPresumedExpired, client.State);

        var disposing = Stopwatch.StartNew();
        await client.DisposeAsync();
        disposing.Stop();

        double[] gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToArray();
        double mean = gaps.Average();
        double stddev = Math.Sqrt(gaps.Select(g => (g - mean) * (g - mean)).Average());
        output.WriteLine($"{attempts.Count} attempts in {down.TotalSeconds:0} s; gap mean {mean:0} ms, stddev {stddev:0} ms, max {gaps.Max():0} ms; " +
            $"memory {memoryEarly / 1024} KiB -> {memoryLate / 1024} KiB; threads {threadsEarly} -> {threadsLate}; DisposeAsync {disposing.ElapsedMilliseconds} ms");

        Assert.InRange(attempts.Count, 20, 600);          // keeps trying, but at most ~10 a second
        Assert.True(gaps.Max() <= 2000, $"an attempt gap of {gaps.Max():0} ms: no gap may exceed the 1 s backoff cap by more than scheduling slack");
        Assert.True(stddev > 50, "attempt gaps should be jittered, not a fixed period");
        Assert.True(memoryLate - memoryEarly < 4 * 1024 * 1024, $"managed memory grew by {(memoryLate - memoryEarly) / 1024} KiB");
        Assert.True(threadsLate - threadsEarly <= 4, $"thread count grew from {threadsEarly} to {threadsLate}");
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(3), $"DisposeAsync mid-reconnect took {disposing.Elapsed}");
        Assert.Equal(ZooKeeperState.Closed, client.State);
    }
}
