using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Watches;

[Collection(WatchServerCollection.Name)]
public sealed class PersistentWatchTests(ZooKeeperServerFixture fixture)
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_persistent_watch_keeps_firing_for_the_node_and_its_direct_children()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        var watch = new EventRecorder();
        await client.AddWatchAsync(path, AddWatchMode.Persistent, watch.Watcher);

        await client.CreateAsync(path);
        await client.SetDataAsync(path, Utf8("1"));
        await client.SetDataAsync(path, Utf8("2"));
        await client.CreateAsync(path + "/child");
        await client.SetDataAsync(path + "/child", Utf8("not reported"));
        await client.DeleteAsync(path + "/child");
        await client.DeleteAsync(path);

        WatchEventType[] expected =
        [
            WatchEventType.NodeCreated, WatchEventType.NodeDataChanged, WatchEventType.NodeDataChanged,
            WatchEventType.NodeChildrenChanged, WatchEventType.NodeChildrenChanged, WatchEventType.NodeDeleted,
        ];
        foreach (WatchEventType type in expected)
        {
            WatchedEvent e = await watch.NextAsync();
            Assert.Equal(type, e.Type);
            Assert.Equal(path, e.Path);
        }

        await EventRecorder.FlushAsync(client);
        Assert.Equal(expected.Length, watch.Count);
    }

    [Fact]
    public async Task A_recursive_watch_reports_every_descendant_but_never_NodeChildrenChanged()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var watch = new EventRecorder();
        await client.AddWatchAsync(path, AddWatchMode.PersistentRecursive, watch.Watcher);

        await client.CreateAsync(path + "/a");
        await client.CreateAsync(path + "/a/b");
        await client.SetDataAsync(path + "/a/b", Utf8("x"));
        await client.DeleteAsync(path + "/a/b");

        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, path + "/a"), await watch.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, path + "/a/b"), await watch.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, path + "/a/b"), await watch.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDeleted, path + "/a/b"), await watch.NextAsync());
        await EventRecorder.FlushAsync(client);
        Assert.Equal(4, watch.Count);
    }

    [Fact]
    public async Task RemoveWatches_stops_a_persistent_watch_and_tells_the_watcher()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var watch = new EventRecorder();
        await client.AddWatchAsync(path, AddWatchMode.Persistent, watch.Watcher);

        await client.SetDataAsync(path, Utf8("1"));
        Assert.Equal(WatchEventType.NodeDataChanged, (await watch.NextAsync()).Type);
        await client.RemoveWatchesAsync(path, watch.Watcher, WatcherType.Any);
        Assert.Equal(WatchEventType.PersistentWatchRemoved, (await watch.NextAsync()).Type);

        await client.SetDataAsync(path, Utf8("2"));
        await client.CreateAsync(path + "/child");
        await EventRecorder.FlushAsync(client);

        Assert.Equal(2, watch.Count);
        await Assert.ThrowsAsync<NoWatcherException>(() => client.RemoveWatchesAsync(path, watch.Watcher, WatcherType.Any));
    }

    [Fact]
    public async Task RemoveWatches_of_a_data_watch_keeps_the_child_watch()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);
        var data = new EventRecorder();
        var child = new EventRecorder();
        await client.GetDataAsync(path, data.Watcher);
        await client.GetChildrenAsync(path, child.Watcher);

        await client.RemoveWatchesAsync(path, null, WatcherType.Data);
        await client.SetDataAsync(path, Utf8("x"));
        await client.CreateAsync(path + "/c");

        Assert.Equal(WatchEventType.DataWatchRemoved, (await data.NextAsync()).Type);
        Assert.Equal(WatchEventType.NodeChildrenChanged, (await child.NextAsync()).Type);
        await EventRecorder.FlushAsync(client);
        Assert.Equal(1, data.Count);
    }
}
