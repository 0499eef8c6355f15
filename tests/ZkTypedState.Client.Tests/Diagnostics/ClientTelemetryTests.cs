using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZkTypedState.Client.Tests.Harness;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.TestSupport;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Diagnostics;

/// <summary>The client's meter and spans against a real server, per the OpenTelemetry conventions.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientTelemetryTests(ZooKeeperServerFixture fixture)
{
    private const string Duration = "zookeeper.client.operation.duration";
    private const int PingOp = 11;

    private Task<ZooKeeperClient> ConnectAsync(string connectionString, IMeterFactory? meters = null) =>
        ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = TimeSpan.FromSeconds(4), MeterFactory = meters },
            Timeouts.Token());

    [Fact]
    public async Task Operation_durations_are_seconds_by_operation_and_server_with_error_type_only_on_failures()
    {
        using var meters = new OwnedMeterFactory();
        using var recorder = new MetricRecorder(meters);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient client = await ConnectAsync(fixture.ConnectionString, meters);

        await client.CreateAsync(path, "v"u8.ToArray());
        await client.GetDataAsync(path);
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path + "/missing"));
        Assert.Null(await client.ExistsAsync(path + "/missing"));

        Instrument instrument = recorder.Instruments[Duration];
        Assert.Equal("s", instrument.Unit);
        Assert.IsType<Histogram<double>>(instrument);
        Assert.Equal([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10], ((Histogram<double>)instrument).Advice!.HistogramBucketBoundaries!);

        IReadOnlyList<RecordedMeasurement> durations = recorder.All(Duration);
        Assert.All(durations, d =>
        {
            Assert.Equal(ZooKeeperTestServer.LoopbackHost, d.Tag("server.address"));
            Assert.Equal(fixture.Server.Port, d.Tag("server.port"));
            Assert.InRange(d.Value, 0, 10); // seconds: a millisecond value of a slow request would exceed this
            Assert.DoesNotContain("zookeeper.operation", d.Tags.Keys);
            Assert.DoesNotContain("zookeeper.outcome", d.Tags.Keys);
        });
        RecordedMeasurement[] reads = [.. durations.Where(d => (string?)d.Tag("zookeeper.operation.name") == "getData")];
        Assert.Equal(2, reads.Length);
        Assert.Equal([null, "NoNode"], reads.Select(r => r.Tag("error.type")).Order());
        RecordedMeasurement exists = Assert.Single(durations, d => (string?)d.Tag("zookeeper.operation.name") == "exists");
        Assert.DoesNotContain("error.type", exists.Tags.Keys); // exists on a missing node is an answer, not a failure
        Assert.Single(durations, d => (string?)d.Tag("zookeeper.operation.name") == "create2" && d.Tag("error.type") is null);
    }

    [Fact]
    public async Task Counters_report_zero_from_the_start_and_count_watch_events_and_connection_losses()
    {
        using var meters = new OwnedMeterFactory();
        using var recorder = new MetricRecorder(meters);
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path);
        await using ZooKeeperClient client = await ConnectAsync(proxy.ConnectionString, meters);

        IReadOnlyList<RecordedMeasurement> events = recorder.Collect("zookeeper.client.watch.events");
        Assert.Equal(Enum.GetValues<WatchEventType>().Length, events.Count);
        Assert.All(events, e => Assert.Equal(0, e.Value));
        Assert.Contains(events, e => (string?)e.Tag("zookeeper.watch.event.type") == "node_data_changed");
        Assert.Equal(0, Assert.Single(recorder.Collect("zookeeper.client.connection.losses")).Value);
        Assert.Equal(0, Assert.Single(recorder.Collect("zookeeper.client.reconnects")).Value);

        var fired = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.GetDataAsync(path, e => fired.TrySetResult(e));
        await writer.SetDataAsync(path, "x"u8.ToArray());
        await fired.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(1, recorder.Collect("zookeeper.client.watch.events").Single(e => (string?)e.Tag("zookeeper.watch.event.type") == "node_data_changed").Value);

        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += c =>
        {
            if (c.Previous == ZooKeeperState.Disconnected && c.Current == ZooKeeperState.Connected)
            {
                reconnected.TrySetResult();
            }
        };
        proxy.Cut();
        proxy.Restore();
        await reconnected.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(1, Assert.Single(recorder.Collect("zookeeper.client.connection.losses")).Value);
        await Poll.UntilAsync(() => recorder.Collect("zookeeper.client.reconnects").Single().Value == 1, "the reconnect is counted");
    }

    [Fact]
    public async Task Each_request_is_one_client_span_under_the_callers_activity_with_the_server_and_error_type_on_failure()
    {
        using var spans = new ActivityRecorder(ZooKeeperClientDiagnostics.ActivitySourceName);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient client = await fixture.ConnectAsync();
        await client.CreateAsync(path, "v"u8.ToArray());

        using (Activity app = new Activity("app request").Start())
        {
            await client.GetDataAsync(path);
            await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path + "/missing"));
            Assert.Same(app, Activity.Current); // the client never leaves its span current in the caller's flow

            Activity ok = Assert.Single(spans.Where(s => (string?)s.GetTagItem("zookeeper.node.path") == path && s.DisplayName == "zookeeper getData"));
            Activity failed = Assert.Single(spans.Where(s => (string?)s.GetTagItem("zookeeper.node.path") == path + "/missing"));
            foreach (Activity span in new[] { ok, failed })
            {
                Assert.Equal(ActivityKind.Client, span.Kind);
                Assert.Equal("zookeeper getData", span.DisplayName);
                Assert.Equal(app.SpanId, span.ParentSpanId); // both children of the app's activity, neither of the other
                Assert.Equal(app.TraceId, span.TraceId);
                Assert.Equal("getData", span.GetTagItem("zookeeper.operation.name"));
                Assert.Equal(ZooKeeperTestServer.LoopbackHost, span.GetTagItem("server.address"));
                Assert.Equal(fixture.Server.Port, span.GetTagItem("server.port"));
            }

            Assert.Equal(ActivityStatusCode.Unset, ok.Status);
            Assert.Null(ok.GetTagItem("error.type"));
            Assert.Equal(ActivityStatusCode.Error, failed.Status);
            Assert.Equal("NoNode", failed.GetTagItem("error.type"));
        }
    }

    [Fact]
    public async Task A_cancelled_request_ends_its_span_with_the_cancellation_as_error_type()
    {
        using var spans = new ActivityRecorder(ZooKeeperClientDiagnostics.ActivitySourceName);
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient client = await ConnectAsync(proxy.ConnectionString);
        proxy.Blackhole();
        using var cancel = new CancellationTokenSource();
        Task read = client.GetDataAsync(path, cancellationToken: cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        Activity span = await spans.WaitForAsync(s => (string?)s.GetTagItem("zookeeper.node.path") == path, "for the cancelled getData");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(TaskCanceledException).FullName, span.GetTagItem("error.type"));
        proxy.Restore();
    }

    [Fact]
    public async Task A_watcher_of_a_client_created_inside_an_app_activity_issues_root_spans_not_children_of_that_activity()
    {
        using var spans = new ActivityRecorder(ZooKeeperClientDiagnostics.ActivitySourceName);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path);
        ZooKeeperClient client;
        var fromWatcher = new TaskCompletionSource<Task<Stat?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        ActivityTraceId appTrace;
        using (Activity app = new Activity("app request that creates the client").Start())
        {
            appTrace = app.TraceId;
            client = await fixture.ConnectAsync();
            await client.GetDataAsync(path, _ => fromWatcher.TrySetResult(client.ExistsAsync(path + "/from-watcher")));
        }

        await using (client)
        {
            await writer.SetDataAsync(path, "x"u8.ToArray());
            await (await fromWatcher.Task.WaitAsync(Timeouts.Event));
            Activity span = Assert.Single(spans.Where(s => (string?)s.GetTagItem("zookeeper.node.path") == path + "/from-watcher"));
            Assert.Null(span.Parent);
            Assert.Equal(default, span.ParentSpanId);
            Assert.NotEqual(appTrace, span.TraceId);
        }
    }

    [Fact]
    public async Task An_idle_session_pings_without_producing_spans()
    {
        using var spans = new ActivityRecorder(ZooKeeperClientDiagnostics.ActivitySourceName);
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        string path = ZooKeeperServerFixture.UniquePath("otel");
        await using ZooKeeperClient client = await ConnectAsync(proxy.ConnectionString);
        Assert.Null(await client.ExistsAsync(path));
        proxy.ResetCounters();

        // A 4 s session pings after ~0.9 s of quiet: wait for three pings to pass the proxy, not for a fixed time.
        await Poll.UntilAsync(() => proxy.GetRequestCount(PingOp) >= 3, "three pings were sent", TimeSpan.FromSeconds(20));

        IReadOnlyList<Activity> mine = spans.Where(s => Equals(s.GetTagItem("server.port"), proxy.Port));
        Activity only = Assert.Single(mine); // the exists, and nothing for the pings
        Assert.Equal("zookeeper exists", only.DisplayName);
        Assert.DoesNotContain(spans.Where(_ => true), s => s.DisplayName.Contains("ping", StringComparison.OrdinalIgnoreCase));
    }
}
