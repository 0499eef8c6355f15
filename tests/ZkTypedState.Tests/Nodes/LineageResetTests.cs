using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>
/// The zxid lineage: an ensemble rebuilt from scratch (servers answer and refuse the carried zxid) versus an outage in
/// which no server answered at all. Each test runs a server of its own, because it wipes or stops it.
/// </summary>
public sealed class LineageResetTests(ITestOutputHelper output)
{
    private const string ResetWarning = "Starting over from zxid 0";

    [Fact]
    public async Task After_the_ensemble_is_rebuilt_the_node_becomes_fresh_with_the_new_data_without_spinning()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200 });
        string path = RuntimeServerFixture.UniquePath("lineage");
        await using (var writer = await ZooKeeperClient.ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(4), Timeouts.Token()))
        {
            // Push the old lineage's zxid well above what the rebuilt server will have.
            await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Count":0}"""));
            await Task.WhenAll(Enumerable.Range(1, 100).Select(i => writer.SetDataAsync(path, RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""))));
        }

        var logs = new CapturingLoggerProvider();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            server.ConnectionString,
            b => b.AddZNode(Descriptors.Counter(path)),
            o =>
            {
                o.SessionTimeout = TimeSpan.FromSeconds(1);
                o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(200);
            },
            s => s.AddLogging(l => l.AddProvider(logs)));
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var node = host.Services.GetRequiredService<IZNode<Counter>>();
        Assert.Equal(ZNodeStatus.Fresh, node.Status);
        using var session = new SessionEvents(runtime);

        long readsBefore = runtime.ReadsIssued;
        var clock = Stopwatch.StartNew();
        await server.StopAsync();
        Directory.Delete(Path.Combine(server.DataDirectory, "version-2"), recursive: true);
        await server.StartAsync();
        await using var rebuilt = await ZooKeeperClient.ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(4), Timeouts.Token());
        await rebuilt.CreateAsync(path, RuntimeServerFixture.Json("""{"Count":7}"""));

        SessionEvent established = await session.FirstAsync(e => e is { Kind: SessionEventKind.Established, ZxidLineageReset: true });
        ZNodeSnapshot<Counter> fresh = await NodeEvents<Counter>.WaitUntilAsync(node, s => s is { Status: ZNodeStatus.Fresh, Value.Count: 7 });
        TimeSpan outage = clock.Elapsed;
        long readsToFresh = runtime.ReadsIssued - readsBefore;
        double readsPerSecond = readsToFresh / outage.TotalSeconds;

        await rebuilt.SetDataAsync(path, RuntimeServerFixture.Json("""{"Count":8}"""));
        await NodeEvents<Counter>.WaitUntilAsync(node, s => s is { Status: ZNodeStatus.Fresh, Value.Count: 8 });

        output.WriteLine($"rebuilt -> fresh in {outage.TotalSeconds:0.0} s (epoch {established.Epoch}); {readsToFresh} read(s) from the stop to fresh, {readsPerSecond:0.0} reads/s over the outage");
        Assert.True(fresh.Mzxid < 100, $"the new lineage's mzxid 0x{fresh.Mzxid:x} is low");
        // No session accepted the old zxid, so no read went out until the reset session: then one read, fresh.
        Assert.InRange(readsToFresh, 1, 3);
        Assert.InRange(readsPerSecond, 0, 5);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(ResetWarning, StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task An_outage_longer_than_three_session_timeouts_with_no_server_answering_keeps_the_zxid_lineage()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200 });
        string path = RuntimeServerFixture.UniquePath("outage");
        await using (var writer = await ZooKeeperClient.ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(4), Timeouts.Token()))
        {
            await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Count":1}"""));
        }

        var logs = new CapturingLoggerProvider();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            server.ConnectionString,
            b => b.AddZNode(Descriptors.Counter(path)),
            o =>
            {
                o.SessionTimeout = TimeSpan.FromSeconds(1);
                o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(200);
            },
            s => s.AddLogging(l => l.AddProvider(logs)));
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var node = host.Services.GetRequiredService<IZNode<Counter>>();
        using var session = new SessionEvents(runtime);

        await server.StopAsync();
        await session.FirstAsync(SessionEventKind.Lost);

        // The outage itself (not a synchronisation): nothing answers for well over three session timeouts.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await server.StartAsync();

        SessionEvent next = await session.FirstAsync(SessionEventKind.Established);
        await NodeEvents<Counter>.WaitUntilAsync(node, s => s is { Status: ZNodeStatus.Fresh, Value.Count: 1 });
        Assert.False(next.ZxidLineageReset);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(ResetWarning, StringComparison.Ordinal));
        await host.StopAsync();
    }
}
