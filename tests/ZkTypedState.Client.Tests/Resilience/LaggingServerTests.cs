using System.Diagnostics;
using System.Text;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>lastZxidSeen protects a client from going back in time on a server that has not seen its history.</summary>
public sealed class LaggingServerTests(OwnServerFixture fixture) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task A_server_behind_the_clients_lastZxidSeen_refuses_it_and_the_client_waits_for_an_up_to_date_one()
    {
        await using var lagging = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200 });
        await using var current = await FaultProxy.StartAsync(fixture.Server);
        await using var behind = await FaultProxy.StartAsync(lagging);
        string path = ZooKeeperServerFixture.UniquePath("lag");
        await using (var setup = await fixture.ConnectAsync(fixture.Server.ConnectionString))
        {
            await setup.CreateAsync(path, Encoding.UTF8.GetBytes("fresh"));
            // Move the up-to-date server's zxid well past anything the lagging one has.
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => setup.SetDataAsync(path, Encoding.UTF8.GetBytes("fresh"))));
        }

        await using (var setup = await fixture.ConnectAsync(lagging.ConnectionString))
        {
            await setup.CreateAsync(path, Encoding.UTF8.GetBytes("stale"));
        }

        behind.Cut();
        await using var client = await fixture.ConnectAsync($"{current.ConnectionString},{behind.ConnectionString}");
        Assert.Equal("fresh", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        long session = client.SessionId;
        var states = new StateRecorder(client, Stopwatch.StartNew());

        current.Cut();
        behind.Restore();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        Task<NodeData> read = client.GetDataAsync(path);

        // The lagging server gets the client's handshakes and refuses them (closes without an answer).
        int seen = behind.TotalConnections;
        await behind.WaitForConnectionsAsync(seen + 2, Timeouts.Token());
        Assert.False(read.IsCompleted);
        Assert.Equal(ZooKeeperState.Disconnected, client.State);

        current.Restore();
        NodeData data = await read.WaitAsync(Timeouts.Event);

        Assert.Equal("fresh", Encoding.UTF8.GetString(data.Data));
        Assert.Equal(session, client.SessionId);
        Assert.DoesNotContain(ZooKeeperState.Expired, states.States);
    }

    [Fact]
    public async Task A_client_seeded_with_a_zxid_from_the_future_is_refused_until_a_server_catches_up()
    {
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = fixture.Server.ConnectionString,
            InitialLastZxidSeen = long.MaxValue / 2,
        });

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForConnectedAsync(wait.Token));
        Assert.Equal(ZooKeeperState.Connecting, client.State);
        Assert.Contains("Refusing session request", fixture.Server.ReadLogTail(200));
    }
}
