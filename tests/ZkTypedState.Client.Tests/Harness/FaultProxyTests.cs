using System.Diagnostics;
using System.Net.Sockets;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class FaultProxyTests(StandaloneServerFixture fixture) : IClassFixture<StandaloneServerFixture>
{
    /// <summary>How long the absence of a reply is observed while blackholed.</summary>
    private static readonly TimeSpan SilenceWindow = TimeSpan.FromMilliseconds(500);

    private ZooKeeperTestServer Server => fixture.Server;

    [Fact]
    public async Task Forwards_four_letter_words()
    {
        await using var proxy = await FaultProxy.StartAsync(Server.Host, Server.Port);

        var direct = await Server.SendFourLetterWordAsync("srvr");
        var proxied = await FourLetterWords.SendAsync("127.0.0.1", proxy.Port, "srvr");

        Assert.Equal($"127.0.0.1:{proxy.Port}", proxy.ConnectionString);
        Assert.Equal(FourLetterWords.ParseMode(direct), FourLetterWords.ParseMode(proxied));
        Assert.Equal(ZooKeeperServerMode.Standalone, FourLetterWords.ParseMode(proxied));

        // "srvr" read as a frame length is far above 16 MiB: counting gives up but forwarding went on.
        Assert.Equal(0, proxy.ConnectRequests);
        Assert.Empty(proxy.GetRequestCounts());
    }

    [Fact]
    public async Task Counts_connect_requests_and_request_frames_by_opcode()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        await using var connection = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);

        Assert.Equal(1, proxy.ConnectRequests);
        Assert.Empty(proxy.GetRequestCounts());

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());
        }

        Assert.Equal(3, proxy.GetRequestCounts()[ZooKeeperOpCodes.Ping]);
        Assert.Equal(1, proxy.ConnectRequests);

        proxy.ResetCounters();
        Assert.Empty(proxy.GetRequestCounts());
        Assert.Equal(0, proxy.ConnectRequests);

        // A frame split into single bytes, then three frames in one write.
        foreach (var single in RawZooKeeperConnection.PingFrame())
        {
            await connection.SendAsync(new[] { single });
        }

        Assert.Equal(RawZooKeeperConnection.PingXid, await connection.ReadReplyXidAsync());
        var three = RawZooKeeperConnection.PingFrame().Concat(RawZooKeeperConnection.PingFrame()).Concat(RawZooKeeperConnection.PingFrame()).ToArray();
        await connection.SendAsync(three);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RawZooKeeperConnection.PingXid, await connection.ReadReplyXidAsync());
        }

        Assert.Equal(new Dictionary<int, long> { [ZooKeeperOpCodes.Ping] = 4 }, proxy.GetRequestCounts());
        Assert.Equal(4, proxy.GetRequestCount(ZooKeeperOpCodes.Ping));
    }

    [Fact]
    public async Task Counts_other_opcodes_and_a_second_connections_connect_request()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        await using (var first = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port))
        {
            var path = "/proxy-count-" + Guid.NewGuid().ToString("N");
            Assert.Equal(0, await first.CreateAsync(path, [1, 2, 3]));
            Assert.Equal(0, (await first.GetDataAsync(path)).Error);
            Assert.Equal(0, await first.CloseSessionAsync());
        }

        await using var second = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);

        Assert.Equal(2, proxy.ConnectRequests);
        var counts = proxy.GetRequestCounts();
        Assert.Equal(1, counts[ZooKeeperOpCodes.Create]);
        Assert.Equal(1, counts[ZooKeeperOpCodes.GetData]);
        Assert.Equal(1, counts[ZooKeeperOpCodes.CloseSession]);
    }

    [Fact]
    public async Task Cut_closes_connections_and_refuses_new_ones_until_restore()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        await using var victim = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);
        Assert.Equal(1, proxy.ActiveConnections);

        proxy.Cut();

        Assert.Equal(FaultMode.Cut, proxy.Mode);
        Assert.Equal(0, await victim.ReceiveAsync());
        await using (var refused = await RawZooKeeperConnection.OpenAsync("127.0.0.1", proxy.Port))
        {
            Assert.Equal(0, await refused.ReceiveAsync());
        }

        Assert.Equal(1, proxy.RefusedConnections);
        await Poll.UntilAsync(() => proxy.ActiveConnections == 0, "the cut connection is released");
        await Poll.UntilEqualAsync(0, () => Server.GetClientConnectionCountAsync(), "the server saw the cut connection close");

        proxy.Restore();

        await using var revived = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);
        Assert.Equal(RawZooKeeperConnection.PingXid, await revived.PingAsync());
        Assert.Equal(2, proxy.TotalConnections);
    }

    [Fact]
    public async Task Blackhole_drops_bytes_until_restore()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        await using var connection = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);
        Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());

        proxy.Blackhole();
        await connection.SendPingAsync();

        // Absence is what is asserted here, so a bounded wait is the only option.
        using (var silence = new CancellationTokenSource(SilenceWindow))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.ReadReplyXidAsync(silence.Token));
        }

        Assert.Equal(1, proxy.ActiveConnections);

        // New connections are accepted but blackholed too: the handshake gets no answer.
        await using (var late = await RawZooKeeperConnection.OpenAsync("127.0.0.1", proxy.Port))
        {
            await late.SendAsync(RawZooKeeperConnection.ConnectRequestFrame());
            using var silence = new CancellationTokenSource(SilenceWindow);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => late.ReadFrameAsync(silence.Token));
        }

        proxy.Restore();

        Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());
        Assert.Equal(2, proxy.GetRequestCount(ZooKeeperOpCodes.Ping)); // the dropped ping never reached the server
    }

    [Fact]
    public async Task Delay_adds_latency_both_ways_and_keeps_order()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        await using var connection = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port);
        var delay = TimeSpan.FromMilliseconds(150);

        proxy.Delay = delay;
        var clock = Stopwatch.StartNew();
        Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());
        var roundTrip = clock.Elapsed;

        Assert.True(roundTrip >= (2 * delay) - TimeSpan.FromMilliseconds(20), $"Round trip {roundTrip.TotalMilliseconds} ms.");

        // Several requests in flight, each written separately, arrive in order: the server answers them in order.
        var sent = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await connection.SendGetDataAsync("/no-such-node"));
        }

        var received = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var (xid, error) = await connection.ReadReplyAsync();
            Assert.Equal(-101, error); // NONODE
            received.Add(xid);
        }

        Assert.Equal(sent, received);

        proxy.Delay = TimeSpan.Zero;
        Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());
    }

    [Fact]
    public async Task Connection_accepted_event_and_wait_report_each_connection()
    {
        await using var proxy = await FaultProxy.StartAsync(Server);
        var seen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.ConnectionAccepted += total => seen.TrySetResult(total);

        await using var first = await RawZooKeeperConnection.OpenAsync("127.0.0.1", proxy.Port);

        Assert.Equal(1, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = proxy.WaitForConnectionsAsync(2);
        Assert.False(second.IsCompleted);
        await using var other = await RawZooKeeperConnection.OpenAsync("127.0.0.1", proxy.Port);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, proxy.ActiveConnections);
    }

    [Fact]
    public async Task A_dead_target_closes_proxied_connections_at_once()
    {
        await using var proxy = await FaultProxy.StartAsync("127.0.0.1", UnusedPort());
        await using var connection = await RawZooKeeperConnection.OpenAsync("127.0.0.1", proxy.Port);

        Assert.Equal(0, await connection.ReceiveAsync());
        Assert.Equal(0, proxy.TotalConnections);
    }

    [Fact]
    public async Task Dispose_closes_connections_and_stops_listening()
    {
        var proxy = await FaultProxy.StartAsync(Server);
        var port = proxy.Port;
        await using var connection = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", port);

        await proxy.DisposeAsync();

        Assert.Equal(0, await connection.ReceiveAsync());
        await Assert.ThrowsAnyAsync<SocketException>(() => RawZooKeeperConnection.OpenAsync("127.0.0.1", port));
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
