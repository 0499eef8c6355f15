using System.Diagnostics;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;
using Xunit.Abstractions;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>Reconnect pacing: quick through a short outage, no storm against a flapping server, settling in a long outage.</summary>
public sealed class ReconnectBackoffTests(OwnServerFixture fixture, ITestOutputHelper output) : IClassFixture<OwnServerFixture>
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
    public async Task A_two_second_cut_costs_a_bounded_number_of_cheap_attempts_and_the_session_survives()
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
        var restoredAt = Stopwatch.StartNew();
        proxy.Restore();
        await client.WaitForConnectedAsync(Timeouts.Token());
        output.WriteLine($"{attempts} refused attempts in the 2 s cut; connected {restoredAt.ElapsedMilliseconds} ms after the restore");

        // The waits grow with the outage (a tenth of it, at least 25–50 ms): through a 2 s cut that is some 30 cheap
        // refused attempts — never a tight loop (each wait is at least 25 ms, so fewer than 50 even on an idle machine).
        Assert.InRange(attempts, 2, 50);
        Assert.Equal(session, client.SessionId);
    }

    [Fact]
    public void The_wait_grows_with_the_outage_from_tens_of_milliseconds_to_the_configured_maximum()
    {
        var backoff = new ReconnectBackoff(hostCount: 1, TimeSpan.FromSeconds(1));
        long start = Stopwatch.GetTimestamp();
        Assert.Equal(TimeSpan.Zero, backoff.NextDelay(0, start, 0.5));
        backoff.OnAttempt(0, start);
        backoff.OnFailure(0);

        // Each wait is a random time in [cap/2, cap]; cap = outage / 10, clamped to [50 ms, MaxReconnectDelay].
        Assert.Equal(TimeSpan.FromMilliseconds(25), backoff.NextDelay(0, start, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(50), backoff.NextDelay(0, start + Ticks(0.3), 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.NextDelay(0, start + Ticks(2), 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.NextDelay(0, start + Ticks(2), 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.NextDelay(0, start + Ticks(60), 0.0));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.NextDelay(0, start + Ticks(60), 1.0));

        // A useful connection ends the outage: the next loss starts again from the smallest wait.
        backoff.OnUseful();
        Assert.Equal(TimeSpan.FromMilliseconds(50), backoff.NextDelay(0, start + Ticks(90), 1.0));
        backoff.OnAttempt(0, start + Ticks(90));
        backoff.OnFailure(0);
        Assert.Equal(TimeSpan.FromMilliseconds(50), backoff.NextDelay(0, start + Ticks(90.2), 1.0));
    }

    [Fact]
    public void Only_a_host_whose_last_failure_was_costly_is_held_to_two_attempts_a_second()
    {
        var backoff = new ReconnectBackoff(hostCount: 2, TimeSpan.FromSeconds(1));
        long start = Stopwatch.GetTimestamp();
        backoff.OnAttempt(0, start);
        backoff.OnCostlyFailure(0);

        // Host 0 answered and dropped: it waits out MinHostInterval; host 1 (not tried yet) only the outage's wait.
        Assert.Equal(ReconnectBackoff.MinHostInterval - TimeSpan.FromMilliseconds(10), backoff.NextDelay(0, start + Ticks(0.01), 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(25), backoff.NextDelay(1, start + Ticks(0.01), 0.0));

        // A refused host is not held to that interval.
        backoff.OnAttempt(1, start + Ticks(0.03));
        backoff.OnFailure(1);
        Assert.Equal(TimeSpan.FromMilliseconds(25), backoff.NextDelay(1, start + Ticks(0.04), 0.0));

        // Host 0 refusing cheaply next time (its server went down): no longer held to the interval.
        backoff.OnAttempt(0, start + Ticks(0.45));
        backoff.OnFailure(0);
        Assert.Equal(TimeSpan.FromMilliseconds(25), backoff.NextDelay(0, start + Ticks(0.46), 0.0));
        Assert.Equal(3, backoff.Failures);
    }

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void The_outage_ends_only_after_a_useful_connection()
    {
        var backoff = new ReconnectBackoff(hostCount: 2, TimeSpan.FromSeconds(1));
        Assert.False(ReconnectBackoff.IsUseful(TimeSpan.FromSeconds(30), framesAfterHandshake: 0));
        Assert.False(ReconnectBackoff.IsUseful(TimeSpan.FromMilliseconds(20), framesAfterHandshake: 5));
        Assert.True(ReconnectBackoff.IsUseful(ReconnectBackoff.UsefulAfter, framesAfterHandshake: 1));

        backoff.OnAttempt(0);
        backoff.OnFailure(0);
        backoff.OnCostlyFailure(1);
        Assert.Equal(2, backoff.Failures);
        backoff.OnUseful();
        Assert.Equal(0, backoff.Failures);
    }
}
