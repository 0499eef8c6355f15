using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>A session over TLS against a real server's secureClientPort: requests, watches, and re-attaching over TLS.</summary>
public sealed class TlsSessionTests(TlsServerFixture fixture, ITestOutputHelper output) : IClassFixture<TlsServerFixture>
{
    [Fact]
    public async Task Requests_and_a_watch_work_over_TLS()
    {
        string path = ZooKeeperServerFixture.UniquePath("tls");
        await using var client = await fixture.ConnectAsync(fixture.Server.SecureConnectionString!, fixture.TrustingTls());
        await using var plain = await fixture.ConnectAsync(fixture.Server.ConnectionString, tls: null);
        Assert.Equal(fixture.Server.SecureConnectionString, client.ConnectedServer);

        await client.CreateAsync(path, Encoding.UTF8.GetBytes("over tls"));
        var events = new EventRecorder();
        NodeData read = await client.GetDataAsync(path, events.Watcher);
        Assert.Equal("over tls", Encoding.UTF8.GetString(read.Data));

        // A change made over plain TCP reaches the TLS session's watch.
        await plain.SetDataAsync(path, Encoding.UTF8.GetBytes("changed"));
        WatchedEvent fired = await events.NextAsync();
        Assert.Equal(WatchEventType.NodeDataChanged, fired.Type);
        Assert.Equal(path, fired.Path);
        Assert.Equal("changed", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
    }

    [Fact]
    public async Task A_cut_connection_reattaches_the_same_session_over_TLS_and_replays_the_watch()
    {
        string path = ZooKeeperServerFixture.UniquePath("tls-cut");
        await using var proxy = await FaultProxy.StartAsync(ZooKeeperTestServer.LoopbackHost, fixture.Server.SecurePort!.Value);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, fixture.TrustingTls());
        await using var plain = await fixture.ConnectAsync(fixture.Server.ConnectionString, tls: null);
        await plain.CreateAsync(path, Encoding.UTF8.GetBytes("v0"));
        var events = new EventRecorder();
        await client.GetDataAsync(path, events.Watcher);
        long sessionId = client.SessionId;
        var states = new StateRecorder(client, Stopwatch.StartNew());

        proxy.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        await plain.SetDataAsync(path, Encoding.UTF8.GetBytes("v1"));
        int connectionsBefore = proxy.TotalConnections;
        proxy.Restore();

        await states.WaitForAsync(ZooKeeperState.Connected);
        WatchedEvent fired = await events.NextAsync();
        Assert.Equal(WatchEventType.NodeDataChanged, fired.Type);
        Assert.Equal(sessionId, client.SessionId);
        Assert.True(proxy.TotalConnections > connectionsBefore, "the client reconnected through the proxy");
        Assert.Equal("v1", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        output.WriteLine($"connections through the proxy: {proxy.TotalConnections}");
    }

    [Fact]
    public async Task A_server_restart_is_survived_over_TLS_with_the_same_session()
    {
        string path = ZooKeeperServerFixture.UniquePath("tls-restart");
        await using var client = await fixture.ConnectAsync(fixture.Server.SecureConnectionString!, fixture.TrustingTls(), TimeSpan.FromSeconds(20));
        await client.CreateAsync(path, Encoding.UTF8.GetBytes("v0"));
        var events = new EventRecorder();
        await client.ExistsAsync(path, events.Watcher);
        long sessionId = client.SessionId;
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);

        await fixture.Server.RestartAsync();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        var connected = await states.WaitForAsync(ZooKeeperState.Connected);
        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal(fixture.Server.SecureConnectionString, client.ConnectedServer);

        // The watch was re-registered over the new TLS connection.
        await using (var plain = await fixture.ConnectAsync(fixture.Server.ConnectionString, tls: null))
        {
            await plain.DeleteAsync(path);
        }

        WatchedEvent fired = await events.NextAsync();
        Assert.Equal(WatchEventType.NodeDeleted, fired.Type);
        output.WriteLine($"restart -> connected again over TLS: {connected.At.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Failover_to_another_host_keeps_TLS_and_checks_each_hosts_own_name()
    {
        // Two routes to the secure port, written as two different names the certificate carries: each attempt must be
        // verified against the host it dials (no TargetHost set), and moving between them keeps the session.
        await using var first = await FaultProxy.StartAsync(ZooKeeperTestServer.LoopbackHost, fixture.Server.SecurePort!.Value);
        await using var second = await FaultProxy.StartAsync(ZooKeeperTestServer.LoopbackHost, fixture.Server.SecurePort!.Value);
        string connectionString = $"localhost:{first.Port},127.0.0.1:{second.Port}";
        await using var client = await fixture.ConnectAsync(connectionString, fixture.TrustingTls());
        long sessionId = client.SessionId;
        var states = new StateRecorder(client, Stopwatch.StartNew());
        FaultProxy used = client.ConnectedServer!.StartsWith("localhost", StringComparison.Ordinal) ? first : second;
        FaultProxy other = ReferenceEquals(used, first) ? second : first;

        used.Cut();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        await states.WaitForAsync(ZooKeeperState.Connected);

        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal(1, other.ActiveConnections);
        Assert.NotNull(await client.ExistsAsync("/"));
        output.WriteLine($"moved from {used.ConnectionString} to {client.ConnectedServer}");
    }
}
