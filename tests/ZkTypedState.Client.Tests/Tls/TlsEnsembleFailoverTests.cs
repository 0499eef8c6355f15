using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Tls;

/// <summary>A TLS-mode ensemble: killing the member the client is on moves the session to another member, over TLS.</summary>
public sealed class TlsEnsembleFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_member_the_client_is_on_moves_the_session_over_TLS_to_another_member()
    {
        await using var cluster = await ZooKeeperTestCluster.StartAsync(3, new ZooKeeperTestServerOptions { TickTimeMs = 200, TlsMode = ZooKeeperTestTlsMode.Tls });
        var tls = new ZooKeeperTlsOptions { TrustedRootCertificates = { cluster.TlsCertificates!.CaCertificate } };
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = cluster.SecureConnectionString!, SessionTimeout = TimeSpan.FromSeconds(4), Tls = tls }, Timeouts.Token());
        long session = client.SessionId;
        string path = ZooKeeperServerFixture.UniquePath("tls-failover");
        await client.CreateAsync(path, Encoding.UTF8.GetBytes("0"));
        var watch = new EventRecorder();
        await client.GetDataAsync(path, watch.Watcher);
        int on = cluster.Members.ToList().FindIndex(m => m.SecureConnectionString == client.ConnectedServer);
        Assert.True(on >= 0, $"client is on {client.ConnectedServer}, not on a secure port of {cluster.SecureConnectionString}");
        var clock = Stopwatch.StartNew();
        var states = new StateRecorder(client, clock);

        await cluster.KillAsync(on);
        var disconnected = await states.WaitForAsync(ZooKeeperState.Disconnected);
        var connected = await states.WaitForAsync(ZooKeeperState.Connected);

        Assert.Equal(session, client.SessionId);
        int now = cluster.Members.ToList().FindIndex(m => m.SecureConnectionString == client.ConnectedServer);
        Assert.True(now >= 0 && now != on, $"client moved to {client.ConnectedServer}");
        await client.SetDataAsync(path, Encoding.UTF8.GetBytes("1"));
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, path), await watch.NextAsync());
        output.WriteLine($"killed member {on}; Disconnected -> Connected over TLS on member {now} in {(connected.At - disconnected.At).TotalMilliseconds:0} ms");
    }
}
