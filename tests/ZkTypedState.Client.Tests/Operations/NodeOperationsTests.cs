using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Operations;

[Collection(ServerCollection.Name)]
public sealed class NodeOperationsTests(ZooKeeperServerFixture fixture)
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Create_then_get_returns_the_data_and_a_stat_that_matches_the_create()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();

        CreatedNode created = await client.CreateAsync(path, Utf8("hello"));
        NodeData read = await client.GetDataAsync(path);

        Assert.Equal(path, created.Path);
        Assert.Equal("hello", Encoding.UTF8.GetString(read.Data));
        Assert.Equal(created.Stat, read.Stat);
        Assert.Equal(created.Stat.Czxid, created.Stat.Mzxid);
        Assert.Equal(5, read.Stat.DataLength);
        Assert.Equal(0, read.Stat.Version);
        Assert.True(client.LastZxidSeen >= created.Stat.Czxid);
    }

    [Fact]
    public async Task SetData_with_the_right_version_bumps_it_and_a_stale_version_is_BadVersion()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        CreatedNode created = await client.CreateAsync(path, Utf8("v0"));

        Stat updated = await client.SetDataAsync(path, Utf8("v1"), version: 0);
        var stale = await Assert.ThrowsAsync<BadVersionException>(() => client.SetDataAsync(path, Utf8("v2"), version: 0));

        Assert.Equal(1, updated.Version);
        Assert.True(updated.Mzxid > created.Stat.Mzxid);
        Assert.Equal(path, stale.Path);
        Assert.Equal(ZooKeeperErrorCode.BadVersion, stale.Code);
        Assert.Equal("v1", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
    }

    [Fact]
    public async Task Delete_honours_version_refuses_non_empty_nodes_and_reports_missing_ones()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        await client.CreateAsync(path + "/child");

        await Assert.ThrowsAsync<NotEmptyException>(() => client.DeleteAsync(path));
        await Assert.ThrowsAsync<BadVersionException>(() => client.DeleteAsync(path + "/child", version: 7));
        await client.DeleteAsync(path + "/child", version: 0);
        await client.DeleteAsync(path);

        var missing = await Assert.ThrowsAsync<NoNodeException>(() => client.DeleteAsync(path));
        Assert.Equal(path, missing.Path);
        Assert.Null(await client.ExistsAsync(path));
    }

    [Fact]
    public async Task Exists_returns_the_stat_of_present_nodes_and_null_for_missing_ones()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        CreatedNode created = await client.CreateAsync(path, Utf8("x"));

        Assert.Equal(created.Stat, await client.ExistsAsync(path));
        Assert.Null(await client.ExistsAsync(path + "/missing"));
    }

    [Fact]
    public async Task Creating_an_existing_node_is_NodeExists_and_a_missing_parent_is_NoNode()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);

        await Assert.ThrowsAsync<NodeExistsException>(() => client.CreateAsync(path));
        await Assert.ThrowsAsync<NoNodeException>(() => client.CreateAsync(path + "/a/b"));
    }

    [Fact]
    public async Task GetChildren_lists_names_with_the_parent_stat()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        foreach (string name in new[] { "a", "b", "c" })
        {
            await client.CreateAsync(path + "/" + name);
        }

        NodeChildren children = await client.GetChildrenAsync(path);

        Assert.Equal(["a", "b", "c"], children.Children.Order());
        Assert.Equal(3, children.Stat.NumChildren);
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetChildrenAsync(path + "/missing"));
    }

    [Fact]
    public async Task Empty_and_large_payloads_round_trip()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        Assert.Empty((await client.GetDataAsync(path)).Data);

        byte[] large = new byte[1_000_000];
        Random.Shared.NextBytes(large);
        await client.SetDataAsync(path, large);

        Assert.Equal(large, (await client.GetDataAsync(path)).Data);
    }

    [Fact]
    public async Task A_request_larger_than_the_server_accepts_fails_locally_and_the_connection_survives()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        long session = client.SessionId;

        await Assert.ThrowsAsync<ArgumentException>(() => client.SetDataAsync(path, new byte[1_100_000]));

        await client.SetDataAsync(path, Utf8("still fine"));
        Assert.Equal(ZooKeeperState.Connected, client.State);
        Assert.Equal(session, client.SessionId);
    }

    [Fact]
    public async Task Invalid_paths_are_rejected_before_anything_is_sent()
    {
        await using var client = await fixture.ConnectAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetDataAsync("relative"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync("/a//b"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync("/a/../b"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync("/trailing/"));
        Assert.Equal(ZooKeeperState.Connected, client.State);
    }

    [Fact]
    public async Task Sync_getEphemerals_and_getAllChildrenNumber_answer_for_this_session()
    {
        await using var client = await fixture.ConnectAsync();
        await using var other = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        await client.CreateAsync(path + "/p");
        await client.CreateAsync(path + "/p/q");
        await client.CreateAsync(path + "/mine", default, CreateMode.Ephemeral);
        await other.CreateAsync(path + "/theirs", default, CreateMode.Ephemeral);

        await other.SyncAsync(path);
        IReadOnlyList<string> ephemerals = await client.GetEphemeralsAsync(path);

        Assert.Equal([path + "/mine"], ephemerals);
        Assert.Equal(4, await client.GetAllChildrenNumberAsync(path));
        Assert.NotNull(await other.ExistsAsync(path + "/mine"));
    }

    [Fact]
    public async Task A_cancelled_request_is_cancelled_and_the_client_keeps_working()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetDataAsync(path, null, cancelled.Token));

        Assert.NotNull(await client.ExistsAsync(path));
    }
}
