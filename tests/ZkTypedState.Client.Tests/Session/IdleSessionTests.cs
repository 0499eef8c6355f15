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
        await using var client = await fixture.ConnectAsync(fixture.Server.ConnectionString, TimeSpan.FromMilliseconds(2000));
        string path = ZooKeeperServerFixture.UniquePath("idle");
        await client.CreateAsync(path, default, CreateMode.Ephemeral);
        long session = client.SessionId;
        var lost = new TaskCompletionSource<ZooKeeperStateChange>();
        client.StateChanged += c => lost.TrySetResult(c);

        // Stay idle for several session timeouts; an ephemeral of an expired session would be gone.
        await using var observer = await fixture.ConnectAsync(fixture.Server.ConnectionString);
        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(client.NegotiatedSessionTimeout);
            Assert.NotNull(await observer.ExistsAsync(path));
        }

        Assert.False(lost.Task.IsCompleted, "The idle client changed state.");
        Assert.Equal(session, client.SessionId);
        Assert.NotNull(await client.ExistsAsync(path));
    }
}
