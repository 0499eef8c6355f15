using BenchmarkDotNet.Attributes;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// The client's pipelined getData throughput against a local server (loopback, no proxy): 10,000 requests issued
/// at once on one session, then awaited. Reported per operation; ops/s = 1e9 / mean(ns).
/// </summary>
public class PipelinedGetDataBenchmarks
{
    private const int Operations = 10_000;
    private const string Path = "/bm/tp";
    private ZooKeeperTestServer _server = null!;
    private ZooKeeperClient _client = null!;
    private readonly Task[] _tasks = new Task[Operations];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _client = await ZooKeeperClient.ConnectAsync(_server.ConnectionString);
        await _client.CreateAsync("/bm");
        await _client.CreateAsync(Path, new byte[200]);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "pipelined getData x10000 (per op)")]
    public async Task GetData()
    {
        for (int i = 0; i < Operations; i++)
        {
            _tasks[i] = _client.GetDataAsync(Path);
        }

        await Task.WhenAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "pipelined getData+watch x10000 (per op, the runtime's read)")]
    public async Task GetDataObservedWithWatch()
    {
        for (int i = 0; i < Operations; i++)
        {
            _tasks[i] = _client.GetDataObservedAsync(Path, Watcher);
        }

        await Task.WhenAll(_tasks);
    }

    private static void Watcher(WatchedEvent e)
    {
    }
}
