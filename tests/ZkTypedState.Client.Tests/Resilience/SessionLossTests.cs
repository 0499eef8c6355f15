using System.Diagnostics;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Resilience;

/// <summary>Unrecoverable loss: expiry noticed both by the local timer and from the server, and terminal.</summary>
/// <remarks>Timing bounds are asserted here, so the class runs alone (a JVM starting next door can starve it).</remarks>
[Collection(SoloCollection.Name)]
public sealed class SessionLossTests(OwnServerFixture fixture, ITestOutputHelper output) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task A_blackhole_longer_than_the_session_timeout_is_presumed_expired_by_the_timer_then_confirmed_by_the_server()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(2000));
        TimeSpan timeout = client.NegotiatedSessionTimeout;
        string path = ZooKeeperServerFixture.UniquePath("expiring");
        await client.CreateAsync(path, default, CreateMode.Ephemeral);
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);

        // The last reply the client gets is the one to this request; the blackhole starts right after it.
        await client.ExistsAsync("/");
        TimeSpan lastReply = clock.Elapsed;
        proxy.Blackhole();

        var disconnected = await states.WaitForAsync(ZooKeeperState.Disconnected);
        var presumed = await states.WaitForAsync(ZooKeeperState.SessionPresumedExpired);
        await using (var observer = await fixture.ConnectAsync(fixture.Server.ConnectionString))
        {
            // Wait for the server to really expire the session (its ephemeral goes), then let the client through.
            await Harness.Poll.UntilAsync(async () => await observer.ExistsAsync(path) is null, "the server expires the session");
        }

        int connectionsBeforeRestore = proxy.TotalConnections;
        proxy.Restore();
        var expired = await states.WaitForAsync(ZooKeeperState.Expired);

        output.WriteLine($"timeout {timeout.TotalMilliseconds} ms; after the last reply: Disconnected at {(disconnected.At - lastReply).TotalMilliseconds:0} ms, " +
            $"SessionPresumedExpired at {(presumed.At - lastReply).TotalMilliseconds:0} ms, Expired {(expired.At - lastReply).TotalMilliseconds:0} ms");
        // Lower bounds: neither comes early. Upper bounds: the read deadline and the session timeout, plus scheduling
        // slack for a busy 2-core machine (timers and thread-pool work may run a few hundred ms late there).
        TimeSpan slack = TimeSpan.FromSeconds(1);
        Assert.InRange(disconnected.At - lastReply, timeout * 2 / 3 - TimeSpan.FromMilliseconds(50), timeout * 2 / 3 + slack);
        Assert.InRange(presumed.At - lastReply, timeout - TimeSpan.FromMilliseconds(50), timeout + slack);
        Assert.IsType<SessionExpiredException>(presumed.Change.Reason);
        Assert.Equal(ZooKeeperState.Expired, client.State);
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetDataAsync("/"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.WaitForConnectedAsync());

        // Terminal: no reconnect loop goes on. A fresh connection through the proxy would show up here.
        await using (var probe = await fixture.ConnectAsync(proxy.ConnectionString))
        {
            await probe.ExistsAsync("/");
        }

        Assert.Equal(connectionsBeforeRestore + 2, proxy.TotalConnections);
        Assert.Equal(
            [ZooKeeperState.Disconnected, ZooKeeperState.SessionPresumedExpired, ZooKeeperState.Expired],
            states.States);
    }

    [Fact]
    public async Task A_pause_shorter_than_the_read_timeout_goes_unnoticed_and_keeps_the_session()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(6000));
        long session = client.SessionId;
        var states = new StateRecorder(client, Stopwatch.StartNew());

        // A network pause of 0.5 s (pings dropped both ways). With the 4 s read timeout and a ping every 1.33 s,
        // the longest silence is ping + pause + ping ≈ 3.2 s: the pause must go unnoticed.
        proxy.Blackhole();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        proxy.Restore();

        await client.ExistsAsync("/");
        Assert.Empty(states.States);
        Assert.Equal(session, client.SessionId);
    }

    [Fact]
    public async Task A_lower_presumed_expiry_fraction_reacts_earlier()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        await using var client = await fixture.ConnectAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(2000), presumedExpiryFraction: 0.5);
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);
        await client.ExistsAsync("/");
        TimeSpan lastReply = clock.Elapsed;

        proxy.Blackhole();
        var disconnected = await states.WaitForAsync(ZooKeeperState.Disconnected);
        var presumed = await states.WaitForAsync(ZooKeeperState.SessionPresumedExpired);

        // Half the timeout (1 s) has passed by the time the connection is dropped (2/3 of it), so the session is
        // presumed expired right after the drop instead of a full timeout after the last reply.
        Assert.True(presumed.At - lastReply >= TimeSpan.FromMilliseconds(950), $"presumed after {(presumed.At - lastReply).TotalMilliseconds:0} ms");
        Assert.True(presumed.At - disconnected.At < TimeSpan.FromMilliseconds(1000), $"presumed {(presumed.At - disconnected.At).TotalMilliseconds:0} ms after the drop");
        Assert.Equal([ZooKeeperState.Disconnected, ZooKeeperState.SessionPresumedExpired], states.States);

        // Presumption is not confirmation: the client keeps trying and a server gives the verdict.
        proxy.Restore();
        ZooKeeperState verdict = await client.WaitForStateAsync(s => s is ZooKeeperState.Connected or ZooKeeperState.Expired, Timeouts.Token());
        output.WriteLine($"presumed expired {(presumed.At - lastReply).TotalMilliseconds:0} ms after the last reply; verdict after restore: {verdict}");
    }
}
