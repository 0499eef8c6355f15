using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Fuzz;

/// <summary>
/// A seeded fuzz run against <see cref="FuzzServer"/>: no crash, every call ends in time with a typed error (or a
/// result), watchers see only defined events, DisposeAsync returns, and no task exception goes unobserved.
/// About 10 s by default; set ZKTS_FUZZ_SECONDS (and ZKTS_FUZZ_SEED) for a long run, e.g. ZKTS_FUZZ_SECONDS=600.
/// A failure names the case's seed: rerun it with ZKTS_FUZZ_SEED=&lt;seed&gt; ZKTS_FUZZ_SECONDS=1.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Operations = ["getData", "exists", "getChildren", "create", "setData", "delete", "multi", "addWatch", "sync", "auth", "getDataObserved"];

    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Mutated_server_frames_never_crash_hang_or_surface_an_untyped_error()
    {
        int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("ZKTS_FUZZ_SEED"), out int s) ? s : 20261201;
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("ZKTS_FUZZ_SECONDS"), out double t) ? t : 10;
        var budget = Stopwatch.StartNew();
        var findings = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<string, int>();
        int cases = 0;
        int frames = 0;

        // Four cases at a time: each mostly waits on sockets and timers.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(lane => Task.Run(async () =>
        {
            for (int i = lane; budget.Elapsed.TotalSeconds < seconds; i += 4)
            {
                int seed = baseSeed + i;
                Interlocked.Add(ref frames, await RunCaseAsync(seed, findings, outcomes));
                Interlocked.Increment(ref cases);
            }
        })));

        UnobservedExceptions.AssertNone();
        output.WriteLine($"{cases} cases (seeds {baseSeed}…), {frames} server frames, {budget.Elapsed.TotalSeconds:0.0} s.");
        foreach ((string outcome, int count) in outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"  {count,6}  {outcome}");
        }

        Assert.True(findings.IsEmpty, $"{findings.Count} finding(s):\n" + string.Join("\n", findings.Take(20)));
        Assert.True(cases >= 4, $"Only {cases} cases ran.");
    }

    private static async Task<int> RunCaseAsync(int seed, ConcurrentQueue<string> findings, ConcurrentDictionary<string, int> outcomes)
    {
        var random = new Random(seed);
        await using var server = ScriptedZooKeeperServer.Start();
        var fuzz = new FuzzServer(server, random.Next());
        using var stop = new CancellationTokenSource();
        Task serving = fuzz.RunAsync(stop.Token);
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = server.ConnectionString,
            SessionTimeout = TimeSpan.FromMilliseconds(random.Next(300, 2000)),
            OperationTimeout = random.Next(3) == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(random.Next(100, 1500)),
            MaxFrameSize = random.Next(4) == 0 ? 1024 : 4 * 1024 * 1024,
            CloseTimeout = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(50),
        };

        var client = new ZooKeeperClient(options);
        client.StateChanged += change =>
        {
            if (!Enum.IsDefined(change.Current))
            {
                findings.Enqueue($"seed {seed}: undefined state {change.Current}");
            }
        };
        Action<WatchedEvent> watcher = e =>
        {
            if (e.Type is < WatchEventType.NodeCreated or > WatchEventType.PersistentWatchRemoved || e.Path is null || !e.Path.StartsWith('/'))
            {
                findings.Enqueue($"seed {seed}: watcher got {e}");
            }
        };

        var calls = new List<(string Name, Task Task, CancellationTokenSource? Cancel)>();
        int count = random.Next(3, 12);
        for (int i = 0; i < count; i++)
        {
            CancellationTokenSource? cancel = random.Next(5) == 0 ? new CancellationTokenSource(random.Next(0, 300)) : null;
            CancellationToken token = cancel?.Token ?? default;
            string path = "/w" + random.Next(2);
            int kind = random.Next(Operations.Length);
            string name = Operations[kind];
            Task started = kind switch
            {
                0 => client.GetDataAsync(path, watcher, token),
                1 => client.ExistsAsync(path, watcher, token),
                2 => client.GetChildrenAsync(path, watcher, token),
                3 => client.CreateAsync(path, new byte[random.Next(0, 2000)], CreateMode.EphemeralSequential, cancellationToken: token),
                4 => client.SetDataAsync(path, new byte[random.Next(0, 64)], cancellationToken: token),
                5 => client.DeleteAsync(path, cancellationToken: token),
                6 => client.MultiAsync([new Op.Check(path, 1), new Op.Delete(path)], token),
                7 => client.AddWatchAsync(path, AddWatchMode.PersistentRecursive, watcher, token),
                8 => client.SyncAsync(path, token),
                9 => client.AddDigestAuthAsync("u", "p", token),
                _ => client.GetDataObservedAsync(path, watcher, token),
            };
            calls.Add((name, started, cancel));
            if (random.Next(3) == 0)
            {
                await Task.Delay(random.Next(0, 50));
            }
        }

        // Without an operation timeout a call may legitimately wait for dispose: give the case a moment, then end it.
        Task all = Task.WhenAll(calls.Select(c => c.Task));
        _ = all.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // each call is judged below, one by one
        await Task.WhenAny(all, Task.Delay(options.OperationTimeout == Timeout.InfiniteTimeSpan ? random.Next(50, 600) : (int)options.OperationTimeout.TotalMilliseconds + 200));
        if (options.OperationTimeout != Timeout.InfiniteTimeSpan && !await Completes(all, CallBound))
        {
            findings.Enqueue($"seed {seed}: calls still pending {CallBound} after the operation timeout: {string.Join(", ", calls.Where(c => !c.Task.IsCompleted).Select(c => c.Name))}");
        }

        if (!await Completes(client.DisposeAsync().AsTask(), DisposeBound))
        {
            findings.Enqueue($"seed {seed}: DisposeAsync did not return within {DisposeBound}");
        }

        foreach ((string name, Task task, CancellationTokenSource? cancel) in calls)
        {
            if (!await Completes(task, CallBound))
            {
                findings.Enqueue($"seed {seed}: {name} still pending after DisposeAsync");
                continue;
            }

            string outcome = task.Exception?.GetBaseException() switch
            {
                null when task.IsCanceled => "cancelled",
                null => "ok",
                KeeperException k => k.GetType().Name,
                ObjectDisposedException => nameof(ObjectDisposedException),
                ArgumentException a when name == "create" && a.Message.Contains("jute.maxbuffer") => "ArgumentException (size)",
                Exception other => Finding(findings, seed, name, other),
            };
            outcomes.AddOrUpdate($"{name}: {outcome}", 1, (_, n) => n + 1);
            cancel?.Dispose();
        }

        stop.Cancel();
        if (!await Completes(serving, DisposeBound))
        {
            findings.Enqueue($"seed {seed}: the fuzz server did not stop");
        }

        return fuzz.FramesSent;
    }

    private static string Finding(ConcurrentQueue<string> findings, int seed, string call, Exception error)
    {
        findings.Enqueue($"seed {seed}: {call} failed with untyped {error.GetType().Name}: {error}");
        return "UNTYPED " + error.GetType().Name;
    }

    private static async Task<bool> Completes(Task task, TimeSpan bound)
    {
        try
        {
            await task.WaitAsync(bound);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
        catch
        {
            // The task's own failure is judged by the caller.
        }

        return true;
    }
}
