using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;
using ZkTypedState.TestSupport;

namespace ZkTypedState.Tests.Diagnostics;

/// <summary>The runtime's meter and spans, against a real server.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class RuntimeTelemetryTests(RuntimeServerFixture fixture)
{
    private const string State = "zookeeper.client.session.state";
    private const string Nodes = "zookeeper.client.node.count";

    private static Dictionary<string, double> ByTag(IReadOnlyList<RecordedMeasurement> measurements, string tag) =>
        measurements.ToDictionary(m => (string)m.Tag(tag)!, m => m.Value);

    [Fact]
    public async Task State_is_one_series_per_state_reading_1_for_the_current_one_and_0_for_the_others_across_a_disconnect()
    {
        string path = RuntimeServerFixture.UniquePath("otel");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Limit":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        using var recorder = new MetricRecorder(host.Services.GetRequiredService<IMeterFactory>());
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();

        Instrument state = recorder.Instruments[State];
        Assert.IsType<ObservableUpDownCounter<int>>(state);
        Assert.Equal("{session}", state.Unit);
        Assert.Equal(ZkTypedStateDiagnostics.MeterName, state.Meter.Name);
        string[] allStates = ["connecting", "connected", "disconnected", "session_presumed_expired", "expired", "auth_failed", "closed"];
        Dictionary<string, double> connected = ByTag(recorder.Collect(State), "zookeeper.session.state");
        Assert.Equal(allStates.Order(), connected.Keys.Order());
        Assert.All(allStates, s => Assert.Equal(s == "connected" ? 1 : 0, connected[s]));
        Dictionary<string, double> nodes = ByTag(recorder.Collect(Nodes), "zookeeper.node.status");
        Assert.Equal(["faulted", "fresh", "invalidated", "loading", "missing", "stale"], nodes.Keys.Order());
        Assert.All(nodes, kv => Assert.Equal(kv.Key == "fresh" ? 1 : 0, kv.Value));
        Assert.All(recorder.Collect("zookeeper.client.node.payload.rejections"), r => Assert.Equal(0, r.Value));
        Assert.Equal(Enum.GetValues<ZNodePayloadError>().Length, recorder.Collect("zookeeper.client.node.payload.rejections").Count);
        Assert.Equal(0, Assert.Single(recorder.Collect("zookeeper.client.session.losses")).Value);
        Assert.True(Assert.Single(recorder.Collect("zookeeper.client.node.reads")).Value >= 1);

        using var session = new SessionEvents(runtime);
        proxy.Cut();
        await session.FirstAsync(SessionEventKind.Disconnected);
        Dictionary<string, double> during = ByTag(recorder.Collect(State), "zookeeper.session.state");
        Assert.All(allStates, s => Assert.Equal(s == "disconnected" ? 1 : 0, during[s]));
        Assert.Equal(1, ByTag(recorder.Collect(Nodes), "zookeeper.node.status")["stale"]);

        proxy.Restore();
        await session.FirstAsync(SessionEventKind.Reconnected);
        Dictionary<string, double> after = ByTag(recorder.Collect(State), "zookeeper.session.state");
        Assert.All(allStates, s => Assert.Equal(s == "connected" ? 1 : 0, after[s]));
        await host.StopAsync();

        // A stopped runtime leaves the series: nothing is reported for a session that is no longer there.
        Assert.All(recorder.Collect(State), m => Assert.Equal(0, m.Value));
    }

    [Fact]
    public async Task A_load_span_is_a_root_that_parents_its_reads_even_when_an_app_activity_bound_the_node_and_a_watch_starts_a_reload()
    {
        using var spans = new ActivityRecorder(ZkTypedStateDiagnostics.ActivitySourceName, ZooKeeperClientDiagnostics.ActivitySourceName);
        string root = RuntimeServerFixture.UniquePath("otel");
        string late = root + "/late";
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();

        // The app binds a node that is no member yet while serving a request: its read loop starts on that request's flow.
        IZNode<Counter> node;
        ActivityTraceId appTrace;
        using (Activity app = new Activity("app request").Start())
        {
            appTrace = app.TraceId;
            node = family.Get("late");
            Assert.Same(app, Activity.Current);
        }

        await node.WaitForLoadedAsync(Timeouts.Token());
        Assert.Equal(ZNodeStatus.Missing, node.Status);
        Activity load = await spans.WaitForAsync(s => s.DisplayName == "zktypedstate load" && (string?)s.GetTagItem("zookeeper.node.path") == late, "loading the node");
        AssertRoot(load, "zookeeper exists", "zookeeper getData");

        // The exists watch fires when the node is created: the re-read runs on a background loop, in a trace of its own.
        await writer.CreateAsync(late, RuntimeServerFixture.Json("""{"Count":2}"""));
        await NodeEvents<Counter>.WaitUntilAsync(node, s => s.Value.Count == 2);
        Activity reload = await spans.WaitForAsync(s => s.DisplayName == "zktypedstate reload" && (string?)s.GetTagItem("zookeeper.node.path") == late, "re-reading the node");
        AssertRoot(reload, "zookeeper getData");
        Assert.NotEqual(load.TraceId, reload.TraceId);
        await host.StopAsync();

        void AssertRoot(Activity span, params string[] reads)
        {
            Assert.Equal(ZkTypedStateDiagnostics.ActivitySourceName, span.Source.Name);
            Assert.Equal(ActivityKind.Internal, span.Kind);
            Assert.Equal(default, span.ParentSpanId);
            Assert.NotEqual(appTrace, span.TraceId);
            IReadOnlyList<Activity> children = spans.Where(s => s.ParentSpanId == span.SpanId);
            Assert.Equal(reads.Order(), children.Select(c => c.DisplayName).Order());
            Assert.All(children, c =>
            {
                Assert.Equal(ActivityKind.Client, c.Kind);
                Assert.Equal(span.TraceId, c.TraceId);
                Assert.Equal(late, c.GetTagItem("zookeeper.node.path"));
                Assert.Equal(fixture.Server.Port, c.GetTagItem("server.port"));
                Assert.Null(c.GetTagItem("error.type"));
            });
        }
    }

    [Fact]
    public async Task A_missing_node_loads_in_one_span_whose_getData_and_exists_are_its_children_without_errors()
    {
        using var spans = new ActivityRecorder(ZkTypedStateDiagnostics.ActivitySourceName, ZooKeeperClientDiagnostics.ActivitySourceName);
        string path = RuntimeServerFixture.UniquePath("otel");
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));

        Activity load = await spans.WaitForAsync(s => s.DisplayName == "zktypedstate load" && (string?)s.GetTagItem("zookeeper.node.path") == path, "loading the missing node");
        Assert.Equal(ActivityStatusCode.Unset, load.Status);
        IReadOnlyList<Activity> children = spans.Where(s => s.ParentSpanId == load.SpanId);
        Assert.Equal(["zookeeper exists", "zookeeper getData"], children.Select(c => c.DisplayName).Order());
        Assert.All(children, c => Assert.Null(c.GetTagItem("error.type"))); // NoNode is the answer here, not a failure
        await host.StopAsync();
    }
}
