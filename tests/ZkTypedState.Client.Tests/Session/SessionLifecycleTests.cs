using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Session;

[Collection(ServerCollection.Name)]
public sealed class SessionLifecycleTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task Connecting_negotiates_a_session_and_reports_the_state_change()
    {
        var changes = new List<ZooKeeperStateChange>();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = fixture.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(100) });
        client.StateChanged += c => { lock (changes) { changes.Add(c); } };
        await using (client)
        {
            await client.WaitForConnectedAsync(Timeouts.Token());

            Assert.Equal(ZooKeeperState.Connected, client.State);
            Assert.NotEqual(0, client.SessionId);
            // The test server's tickTime is 200 ms, so 100 s is clamped to 20 ticks.
            Assert.Equal(TimeSpan.FromSeconds(4), client.NegotiatedSessionTimeout);
            Assert.Equal(fixture.ConnectionString, client.ConnectedServer);
        }

        Assert.Equal(ZooKeeperState.Closed, client.State);
    }

    [Fact]
    public async Task DisposeAsync_closes_the_session_so_ephemerals_vanish_at_once_and_no_connection_remains()
    {
        await using var observer = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath("eph");
        int connectionsBefore = await fixture.Server.GetClientConnectionCountAsync();
        var client = await fixture.ConnectAsync(sessionTimeout: TimeSpan.FromSeconds(4));
        await client.CreateAsync(path, default, CreateMode.Ephemeral);
        var deleted = new EventRecorder();
        await observer.ExistsAsync(path, deleted.Watcher);
        Assert.Equal(connectionsBefore + 1, await fixture.Server.GetClientConnectionCountAsync());

        var closing = System.Diagnostics.Stopwatch.StartNew();
        await client.DisposeAsync();
        closing.Stop();

        // closeSession deletes the ephemeral when the server confirms: no waiting out the 4 s timeout.
        Assert.Null(await observer.ExistsAsync(path));
        Assert.Equal(WatchEventType.NodeDeleted, (await deleted.NextAsync()).Type);
        Assert.True(closing.Elapsed < TimeSpan.FromSeconds(4), $"DisposeAsync took {closing.Elapsed}.");
        Assert.Equal(connectionsBefore, await fixture.Server.GetClientConnectionCountAsync());
    }

    [Fact]
    public async Task DisposeAsync_reports_Connected_then_Closed_and_never_the_servers_close_of_the_socket_as_Disconnected()
    {
        // Two races, each seen on a loaded machine. The server closes the socket right after its closeSession reply and
        // the client read that end before DisposeAsync resumed: Connected → Disconnected → Closed (a leader then lost
        // with Disconnected, not Closed). And a change queued its handler after releasing the state lock: the waiter it
        // woke could close the client and queue Closed before the preempted thread queued Connected. Twenty closes make
        // either interleaving likely under load; each must report exactly Connected, then Closed.
        for (int round = 0; round < 20; round++)
        {
            var changes = new List<ZooKeeperState>();
            var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = fixture.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) });
            client.StateChanged += c => { lock (changes) { changes.Add(c.Current); } };
            await client.WaitForConnectedAsync(Timeouts.Token());
            await client.DisposeAsync();

            // DisposeAsync drains the event dispatcher: every change has been delivered.
            lock (changes)
            {
                Assert.Equal([ZooKeeperState.Connected, ZooKeeperState.Closed], changes);
            }
        }
    }

    [Fact]
    public async Task Calls_after_DisposeAsync_fail_with_ObjectDisposedException()
    {
        var client = await fixture.ConnectAsync();
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetDataAsync("/"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.WaitForConnectedAsync());
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Connecting_to_a_port_with_no_server_keeps_trying_until_cancelled()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{port}" });
        await using (client)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForConnectedAsync(cts.Token));
            Assert.Equal(ZooKeeperState.Connecting, client.State);
        }
    }
}
