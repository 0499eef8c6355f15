using System.Diagnostics;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>Reconnect pacing: no storm against a flapping server, few attempts through a short outage.</summary>
public sealed class ReconnectBackoffTests(OwnServerFixture fixture) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task A_server_that_accepts_the_handshake_and_drops_draws_a_bounded_handshake_rate()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) });
        int handshakes = 0;
        var window = Stopwatch.StartNew();
        await using (client)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                while (true)
                {
                    ScriptedConnection connection = await server.AcceptAsync(stop.Token);
                    await connection.ReadConnectRequestAsync(stop.Token);
                    await connection.SendConnectResponseAsync(4000, sessionId: 0x42);
                    handshakes++;
                    connection.Close();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        // At most two attempts per host per second (plus the first): ~5 in 2 s. Before: ~180 handshakes a second.
        Assert.InRange(handshakes, 2, 6);
        Assert.True(window.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_two_second_cut_of_a_useful_connection_costs_only_a_few_attempts_and_the_session_survives()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(8));
        long session = client.SessionId;

        // Let the connection prove itself useful (it lived and was answered), as any real connection does.
        await Task.Delay(ReconnectBackoff.UsefulAfter + TimeSpan.FromMilliseconds(100));
        await client.ExistsAsync("/");

        int before = proxy.RefusedConnections;
        proxy.Cut();
        await Task.Delay(TimeSpan.FromSeconds(2));
        int attempts = proxy.RefusedConnections - before;
        proxy.Restore();
        await client.WaitForConnectedAsync(Timeouts.Token());

        // First retry at once (0–100 ms), then no more than two a second to the one host. Before: 8–11.
        Assert.InRange(attempts, 1, 5);
        Assert.Equal(session, client.SessionId);
    }

    [Fact]
    public void The_backoff_resets_only_after_a_useful_connection_and_spaces_attempts_to_one_host()
    {
        var backoff = new ReconnectBackoff(hostCount: 2, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, backoff.NextDelay(0));
        backoff.OnAttempt(0);
        backoff.OnFailure();

        // The other host is not held back by the first one's interval; the same host is.
        Assert.True(backoff.NextDelay(1) <= TimeSpan.FromMilliseconds(200));
        Assert.True(backoff.NextDelay(0) >= ReconnectBackoff.MinHostInterval - TimeSpan.FromMilliseconds(100));

        Assert.False(ReconnectBackoff.IsUseful(TimeSpan.FromSeconds(30), framesAfterHandshake: 0));
        Assert.False(ReconnectBackoff.IsUseful(TimeSpan.FromMilliseconds(20), framesAfterHandshake: 5));
        Assert.True(ReconnectBackoff.IsUseful(ReconnectBackoff.UsefulAfter, framesAfterHandshake: 1));

        backoff.OnFailure();
        backoff.OnFailure();
        Assert.Equal(3, backoff.Failures);
        backoff.OnUseful();
        Assert.Equal(0, backoff.Failures);
    }
}
