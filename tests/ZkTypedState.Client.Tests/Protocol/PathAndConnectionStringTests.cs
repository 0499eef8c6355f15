using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Tests.Protocol;

public sealed class PathAndConnectionStringTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b-c_d.e")]
    [InlineData("/é/中")]
    [InlineData("/a/...")]
    public void Valid_paths_pass(string path) => Assert.Null(ZooKeeperPath.GetError(path));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a", "start with")]
    [InlineData("/a/", "end with")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/./b", "relative")]
    [InlineData("/a/..", "relative")]
    [InlineData("/a\u0001", "invalid character")]
    [InlineData("/a\u0000b", "invalid character")]
    [InlineData("/\ue000", "invalid character")]
    [InlineData("/\ufff5", "invalid character")]
    public void Invalid_paths_are_explained(string path, string reason) =>
        Assert.Contains(reason, ZooKeeperPath.GetError(path));

    [Fact]
    public void A_sequential_prefix_may_end_with_a_slash() => Assert.Null(ZooKeeperPath.GetError("/queue/", isSequential: true));

    [Fact]
    public void Connection_strings_parse_hosts_default_ports_ipv6_and_chroot()
    {
        ConnectionString parsed = ConnectionString.Parse("zk1:2182, zk2 ,[::1]:2183/app/config");

        Assert.Equal([new HostEndpoint("zk1", 2182), new HostEndpoint("zk2", 2181), new HostEndpoint("::1", 2183)], parsed.Hosts);
        Assert.Equal("/app/config", parsed.Chroot);
        Assert.Null(ConnectionString.Parse("h:1/").Chroot);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/chroot-only")]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData("[::1")]
    [InlineData("host/bad//chroot")]
    public void Bad_connection_strings_are_rejected_clearly(string value) =>
        Assert.ThrowsAny<ArgumentException>(() => ConnectionString.Parse(value));
}
