using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// What the client's telemetry costs a request: pipelined getData x10,000 with nothing listening, with a MeterListener
/// on the client's meter (the duration histogram recorded per reply), and with an ActivityListener sampling every span.
/// </summary>
public class TelemetryCostBenchmarks
{
    private const int Operations = 10_000;
    private const string Path = "/bm/telemetry";
    private readonly Task[] _tasks = new Task[Operations];
    private ZooKeeperTestServer _server = null!;
    private ZooKeeperClient _client = null!;
    private MeterListener? _meters;
    private ActivityListener? _spans;

    /// <summary>none, metrics or traces.</summary>
    [Params("none", "metrics", "traces")]
    public string Listening { get; set; } = "none";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Listening == "metrics")
        {
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == ZooKeeperClientDiagnostics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.Start();
        }
        else if (Listening == "traces")
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = s => s.Name == ZooKeeperClientDiagnostics.ActivitySourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_spans);
        }

        _server = await LocalServer.StartAsync();
        _client = await ZooKeeperClient.ConnectAsync(_server.ConnectionString);
        if (await _client.ExistsAsync("/bm") is null)
        {
            await _client.CreateAsync("/bm");
        }

        await _client.CreateAsync(Path, new byte[200]);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _meters?.Dispose();
        _spans?.Dispose();
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
}
