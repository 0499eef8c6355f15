using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Operations;

[Collection(ServerCollection.Name)]
public sealed class MultiTests(ZooKeeperServerFixture fixture)
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_successful_multi_applies_every_operation_at_one_zxid_and_returns_per_op_results()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path, Utf8("v0"));
        await client.CreateAsync(path + "/old");

        IReadOnlyList<OpResult> results = await client.MultiAsync(
        [
            new Op.Check(path, 0),
            new Op.Create(path + "/new", Utf8("n")),
            new Op.Create(path + "/box", default, CreateMode.Container),
            new Op.SetData(path, Utf8("v1"), 0),
            new Op.Delete(path + "/old"),
        ]);

        Assert.IsType<OpResult.Check>(results[0]);
        Assert.Equal(path + "/new", Assert.IsType<OpResult.Create>(results[1]).Path);
        Stat containerStat = Assert.IsType<OpResult.Create>(results[2]).Stat!.Value;
        Stat setStat = Assert.IsType<OpResult.SetData>(results[3]).Stat;
        Assert.IsType<OpResult.Delete>(results[4]);
        Assert.Equal(setStat.Mzxid, containerStat.Czxid);
        Assert.Equal("v1", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        Assert.Null(await client.ExistsAsync(path + "/old"));
    }

    [Fact]
    public async Task A_failed_multi_applies_nothing_and_throws_the_failing_ops_exception_with_all_results()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path, Utf8("v0"));

        var failure = await Assert.ThrowsAsync<BadVersionException>(() => client.MultiAsync(
        [
            new Op.Create(path + "/a", default),
            new Op.Check(path, 5),
            new Op.SetData(path, Utf8("never")),
        ]));

        Assert.Equal(path, failure.Path);
        Assert.NotNull(failure.Results);
        Assert.Equal(
            [ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.BadVersion, ZooKeeperErrorCode.RuntimeInconsistency],
            failure.Results!.Select(r => Assert.IsType<OpResult.Error>(r).Code));
        Assert.Null(await client.ExistsAsync(path + "/a"));
        Assert.Equal("v0", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
    }

    [Fact]
    public async Task MultiRead_answers_each_read_on_its_own()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path, Utf8("root"));
        await client.CreateAsync(path + "/x", Utf8("x"));

        IReadOnlyList<OpResult> results = await client.MultiReadAsync(
        [
            new Op.GetData(path),
            new Op.GetChildren(path),
            new Op.GetData(path + "/missing"),
            new Op.GetData(path + "/x"),
        ]);

        Assert.Equal("root", Encoding.UTF8.GetString(Assert.IsType<OpResult.GetData>(results[0]).Data));
        Assert.Equal(["x"], Assert.IsType<OpResult.GetChildren>(results[1]).Children);
        Assert.Equal(ZooKeeperErrorCode.NoNode, Assert.IsType<OpResult.Error>(results[2]).Code);
        Assert.Equal("x", Encoding.UTF8.GetString(Assert.IsType<OpResult.GetData>(results[3]).Data));
    }

    [Fact]
    public async Task Mixing_reads_and_writes_is_refused_locally()
    {
        await using var client = await fixture.ConnectAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => client.MultiAsync([new Op.GetData("/a")]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.MultiReadAsync([new Op.Delete("/a")]));
        Assert.Empty(await client.MultiAsync([]));
    }
}
