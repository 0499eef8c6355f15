using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Watches;

[Collection(WatchServerCollection.Name)]
public sealed class OneShotWatchTests(ZooKeeperServerFixture fixture)
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_data_watch_fires_once_with_NodeDataChanged_and_the_path()
    {
        await using var client = await fixture.ConnectAsync();
        await using var writer = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path, Utf8("0"));
        var watch = new EventRecorder();
        await client.GetDataAsync(path, watch.Watcher);

        await writer.SetDataAsync(path, Utf8("1"));
        WatchedEvent fired = await watch.NextAsync();
        await writer.SetDataAsync(path, Utf8("2"));
        await EventRecorder.FlushAsync(client);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, path), fired);
        Assert.Equal(1, watch.Count);
    }

    [Fact]
    public async Task A_data_watch_fires_NodeDeleted_when_the_node_goes()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var watch = new EventRecorder();
        await client.GetDataAsync(path, watch.Watcher);

        await client.DeleteAsync(path);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeDeleted, path), await watch.NextAsync());
    }

    [Fact]
    public async Task An_exists_watch_on_a_missing_node_fires_NodeCreated_once()
    {
        await using var client = await fixture.ConnectAsync();
        await using var writer = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        var watch = new EventRecorder();

        Assert.Null(await client.ExistsAsync(path, watch.Watcher));
        await writer.CreateAsync(path);
        WatchedEvent fired = await watch.NextAsync();
        await writer.SetDataAsync(path, Utf8("after"));
        await EventRecorder.FlushAsync(client);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, path), fired);
        Assert.Equal(1, watch.Count);
    }

    [Fact]
    public async Task An_exists_watch_on_a_present_node_fires_on_a_data_change()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var watch = new EventRecorder();

        Assert.NotNull(await client.ExistsAsync(path, watch.Watcher));
        await client.SetDataAsync(path, Utf8("x"));

        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, path), await watch.NextAsync());
    }

    [Fact]
    public async Task GetData_on_a_missing_node_arms_no_watch()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        var watch = new EventRecorder();

        await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path, watch.Watcher));
        await client.CreateAsync(path);
        await EventRecorder.FlushAsync(client);

        Assert.Equal(0, watch.Count);
    }

    [Fact]
    public async Task A_child_watch_fires_once_for_a_created_child_but_not_for_a_childs_data_change()
    {
        await using var client = await fixture.ConnectAsync();
        await using var writer = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        await client.CreateAsync(path + "/existing");
        var watch = new EventRecorder();
        await client.GetChildrenAsync(path, watch.Watcher);

        await writer.SetDataAsync(path + "/existing", Utf8("data"));
        await writer.CreateAsync(path + "/new");
        WatchedEvent fired = await watch.NextAsync();
        await writer.CreateAsync(path + "/another");
        await EventRecorder.FlushAsync(client);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, path), fired);
        Assert.Equal(1, watch.Count);
    }

    [Fact]
    public async Task Data_child_and_exist_watchers_on_one_node_each_get_the_deletion_once()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var data = new EventRecorder();
        var child = new EventRecorder();
        var both = new EventRecorder();
        await client.GetDataAsync(path, data.Watcher);
        await client.GetChildrenAsync(path, child.Watcher);
        await client.GetDataAsync(path, both.Watcher);
        await client.GetChildrenAsync(path, both.Watcher);

        await client.DeleteAsync(path);
        await EventRecorder.FlushAsync(client);

        Assert.Equal(WatchEventType.NodeDeleted, (await data.NextAsync()).Type);
        Assert.Equal(WatchEventType.NodeDeleted, (await child.NextAsync()).Type);
        Assert.Equal(WatchEventType.NodeDeleted, (await both.NextAsync()).Type);
        Assert.Equal(1, both.Count);
    }

    [Fact]
    public async Task A_slow_watcher_delays_other_callbacks_but_never_replies()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        using var release = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource();
        await client.GetDataAsync(path, _ =>
        {
            entered.TrySetResult();
            release.Wait(Timeouts.Event);
        });

        await client.SetDataAsync(path, Utf8("trigger"));
        await entered.Task.WaitAsync(Timeouts.Event);

        // The watcher is blocked; requests must still complete.
        for (int i = 0; i < 20; i++)
        {
            await client.SetDataAsync(path, Utf8(i.ToString()));
        }

        Assert.Equal("19", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        release.Set();
    }

    [Fact]
    public async Task A_throwing_watcher_does_not_stop_later_events()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        await client.GetDataAsync(path, _ => throw new InvalidOperationException("watcher bug"));
        var later = new EventRecorder();
        await client.ExistsAsync(path + "/later", later.Watcher);

        await client.SetDataAsync(path, Utf8("x"));
        await client.CreateAsync(path + "/later");

        Assert.Equal(WatchEventType.NodeCreated, (await later.NextAsync()).Type);
    }
}
