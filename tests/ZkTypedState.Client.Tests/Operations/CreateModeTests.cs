using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Operations;

[Collection(ServerCollection.Name)]
public sealed class CreateModeTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task Ephemeral_nodes_are_owned_by_the_session_and_cannot_have_children()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();

        CreatedNode node = await client.CreateAsync(path, default, CreateMode.Ephemeral);

        Assert.Equal(client.SessionId, node.Stat.EphemeralOwner);
        Assert.True(node.Stat.IsEphemeral);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => client.CreateAsync(path + "/child"));
    }

    [Fact]
    public async Task Sequential_nodes_get_increasing_ten_digit_suffixes()
    {
        await using var client = await fixture.ConnectAsync();
        string parent = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(parent);

        CreatedNode first = await client.CreateAsync(parent + "/job-", default, CreateMode.PersistentSequential);
        CreatedNode second = await client.CreateAsync(parent + "/job-", default, CreateMode.EphemeralSequential);
        CreatedNode bare = await client.CreateAsync(parent + "/", default, CreateMode.PersistentSequential);

        Assert.Equal(parent + "/job-0000000000", first.Path);
        Assert.Equal(parent + "/job-0000000001", second.Path);
        Assert.Equal(parent + "/0000000002", bare.Path);
        Assert.Equal(client.SessionId, second.Stat.EphemeralOwner);
    }

    [Fact]
    public async Task A_container_is_reaped_by_the_server_once_its_last_child_is_gone()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        CreatedNode container = await client.CreateAsync(path, default, CreateMode.Container);
        Assert.Equal(0, container.Stat.EphemeralOwner);
        await client.CreateAsync(path + "/child");

        var deleted = new EventRecorder();
        await client.ExistsAsync(path, deleted.Watcher);
        await client.DeleteAsync(path + "/child");

        // The test server checks containers every 200 ms.
        WatchedEvent reaped = await deleted.NextAsync();
        Assert.Equal(WatchEventType.NodeDeleted, reaped.Type);
        Assert.Null(await client.ExistsAsync(path));
    }

    [Fact]
    public async Task TTL_nodes_are_created_with_createTTL_and_need_a_positive_ttl()
    {
        await using var client = await fixture.ConnectAsync();
        string parent = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(parent);

        CreatedNode ttl = await client.CreateAsync(parent + "/ttl", default, CreateMode.PersistentWithTtl, ttl: 60_000);
        CreatedNode sequentialTtl = await client.CreateAsync(parent + "/s-", default, CreateMode.PersistentSequentialWithTtl, ttl: 60_000);

        Assert.Equal(parent + "/ttl", ttl.Path);
        Assert.StartsWith(parent + "/s-", sequentialTtl.Path);
        Assert.Equal(0, ttl.Stat.EphemeralOwner);
        Assert.NotNull(await client.ExistsAsync(parent + "/ttl"));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.CreateAsync(parent + "/bad", default, CreateMode.PersistentWithTtl, ttl: 0); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.CreateAsync(parent + "/bad", default, CreateMode.Persistent, ttl: 5); });
    }

    [Fact]
    public async Task An_expired_TTL_node_is_removed_by_the_server()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        var deleted = new EventRecorder();

        await client.CreateAsync(path, default, CreateMode.PersistentWithTtl, ttl: 300);
        await client.ExistsAsync(path, deleted.Watcher);

        Assert.Equal(WatchEventType.NodeDeleted, (await deleted.NextAsync()).Type);
    }
}
