using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Session;

[Collection(ServerCollection.Name)]
public sealed class ChrootTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task Paths_are_relative_to_the_chroot_in_requests_results_watches_and_multi()
    {
        string root = ZooKeeperServerFixture.UniquePath("chroot");
        await using var plain = await fixture.ConnectAsync();
        await plain.CreateAsync(root);
        await using var rooted = await fixture.ConnectAsync(chroot: root);

        CreatedNode created = await rooted.CreateAsync("/app", Encoding.UTF8.GetBytes("a"));
        CreatedNode sequential = await rooted.CreateAsync("/app/s-", default, CreateMode.EphemeralSequential);
        IReadOnlyList<OpResult> multi = await rooted.MultiAsync([new Op.Create("/m", default)]);
        var watch = new EventRecorder();
        await rooted.GetDataAsync("/app", watch.Watcher);
        var rootWatch = new EventRecorder();
        await rooted.GetChildrenAsync("/", rootWatch.Watcher);
        await plain.SetDataAsync(root + "/app", Encoding.UTF8.GetBytes("b"));
        await plain.CreateAsync(root + "/other");

        Assert.Equal("/app", created.Path);
        Assert.Equal("/app/s-0000000000", sequential.Path);
        Assert.Equal("/m", Assert.IsType<OpResult.Create>(Assert.Single(multi)).Path);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, "/app"), await watch.NextAsync());
        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, "/"), await rootWatch.NextAsync());
        Assert.Equal("b", Encoding.UTF8.GetString((await plain.GetDataAsync(root + "/app")).Data));
        Assert.Equal(["/app/s-0000000000"], await rooted.GetEphemeralsAsync());
        Assert.Equal(["app", "m", "other"], (await rooted.GetChildrenAsync("/")).Children.Order());
    }
}
