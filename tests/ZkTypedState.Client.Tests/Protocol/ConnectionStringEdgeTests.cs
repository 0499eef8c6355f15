using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Tests.Protocol;

/// <summary>Host and port forms that used to be misread or accepted.</summary>
public sealed class ConnectionStringEdgeTests
{
    [Theory]
    [InlineData("::1", "brackets")]
    [InlineData("fe80::1:2181", "brackets")]
    [InlineData("h:+2181", "invalid port")]
    [InlineData("h: 2181", "invalid port")]
    [InlineData("h:-1", "invalid port")]
    [InlineData("h:", "invalid port")]
    [InlineData("h:0", "invalid port")]
    [InlineData("h:002181x", "invalid port")]
    [InlineData("[notanaddress]:2181", "not an IPv6 address")]
    [InlineData("[::1]x", "expected ':'")]
    [InlineData("[::1]:", "invalid port")]
    public void Bad_hosts_and_ports_are_rejected_with_the_reason(string value, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectionString.Parse(value));
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("[::1]:2181", "::1", 2181)]
    [InlineData("[::1]", "::1", 2181)]
    [InlineData("[fe80::1]:2999", "fe80::1", 2999)]
    [InlineData("h:02181", "h", 2181)]
    [InlineData("zk.example.com", "zk.example.com", 2181)]
    public void Bracketed_IPv6_and_plain_hosts_parse(string value, string host, int port)
    {
        HostEndpoint parsed = Assert.Single(ConnectionString.Parse(value).Hosts);
        Assert.Equal(new HostEndpoint(host, port), parsed);
    }
}
