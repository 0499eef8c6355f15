using ZkTypedState.Client.Tests.Resilience;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Session;

/// <summary>Liveness over time: runs alone, since it asserts that nothing is missed for several session timeouts.</summary>
[Collection(SoloCollection.Name)]
public sealed class IdleSessionTests(OwnServerFixture fixture) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task Pings_keep_an_idle_session_alive_past_its_timeout()
    {
        // A 4 s session: pings after ~0.9 s of quiet, a read deadline of 2.7 s. With a 2 s session only 0.9 s separate a
        // ping from the deadline, and the session was dropped once while a second CI run published native AOT code on
        // both cores (the ping's answer starved, as it would for any client).
        await using var client = await fixture.ConnectAsync(fixture.Server.ConnectionString, TimeSpan.FromMilliseconds(4000));
        string path = ZooKeeperServerFixture.UniquePath("idle");
        await client.CreateAsync(path, default, CreateMode.Ephemeral);
        long session = client.SessionId;
        var lost = new TaskCompletionSource<ZooKeeperStateChange>();
        client.StateChanged += c => lost.TrySetResult(c);

        // Stay idle for several session timeouts; an ephemeral of an expired session would be gone.
        await using var observer = await fixture.ConnectAsync(fixture.Server.ConnectionString);
        for (int i = 0; i < 2; i++)
        {
            await Task.Delay(client.NegotiatedSessionTimeout);
            Assert.NotNull(await observer.ExistsAsync(path));
        }

        if (lost.Task.IsCompleted)
        {
            ZooKeeperStateChange change = await lost.Task;
            Assert.Fail($"The idle client changed state: {change.Previous} -> {change.Current} ({change.Reason?.Message}).");
        }

        Assert.Equal(session, client.SessionId);
        Assert.NotNull(await client.ExistsAsync(path));
    }
}
