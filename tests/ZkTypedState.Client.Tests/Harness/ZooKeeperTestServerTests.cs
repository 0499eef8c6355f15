using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class ZooKeeperTestServerTests(StandaloneServerFixture fixture) : IClassFixture<StandaloneServerFixture>
{
    private ZooKeeperTestServer Server => fixture.Server;

    [Fact]
    public async Task Started_server_reports_standalone_through_srvr()
    {
        var srvr = await Server.SendFourLetterWordAsync("srvr");

        Assert.Contains("Mode: standalone", srvr, StringComparison.Ordinal);
        Assert.Equal(ZooKeeperServerMode.Standalone, FourLetterWords.ParseMode(srvr));
        Assert.Equal(ZooKeeperServerMode.Standalone, await Server.GetModeAsync());
        Assert.True(Server.IsRunning);
        Assert.NotNull(Server.ProcessId);
    }

    [Fact]
    public void Endpoint_and_files_are_exposed()
    {
        Assert.Equal("127.0.0.1", Server.Host);
        Assert.Equal($"127.0.0.1:{Server.Port}", Server.ConnectionString);
        Assert.True(Directory.Exists(Server.DataDirectory));

        var config = File.ReadAllText(Server.ConfigFilePath);
        Assert.Contains($"clientPort={Server.Port}", config, StringComparison.Ordinal);
        Assert.Contains("tickTime=200", config, StringComparison.Ordinal);
        Assert.Contains("4lw.commands.whitelist=*", config, StringComparison.Ordinal);
        Assert.Contains("admin.enableServer=false", config, StringComparison.Ordinal);
        Assert.Contains("clientPortAddress=127.0.0.1", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_log_is_captured()
    {
        // The JVM's output goes to the log file; ZooKeeper itself logs through the slf4j binding on the class path.
        var tail = Server.ReadLogTail(400);

        Assert.Contains("ZooKeeperServer", tail, StringComparison.Ordinal);
        Assert.Contains("INFO", tail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_four_letter_words_answer()
    {
        Assert.Equal("imok", await Server.SendFourLetterWordAsync("ruok"));

        var mntr = FourLetterWords.ParseFields(await Server.SendFourLetterWordAsync("mntr"));
        Assert.Equal("standalone", mntr["zk_server_state"]);

        var conf = await Server.SendFourLetterWordAsync("conf");
        Assert.Contains($"clientPort={Server.Port}", conf, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_count_follows_client_connections_and_excludes_the_asking_one()
    {
        await Poll.UntilEqualAsync(0, () => Server.GetClientConnectionCountAsync(), "no client connections");

        await using (var first = await RawZooKeeperConnection.ConnectAsync(Server.Host, Server.Port))
        {
            Assert.Equal(1, await Server.GetClientConnectionCountAsync());

            await using var second = await RawZooKeeperConnection.ConnectAsync(Server.Host, Server.Port);
            Assert.Equal(2, await Server.GetClientConnectionCountAsync());

            Assert.Equal(RawZooKeeperConnection.PingXid, await first.PingAsync());
        }

        await Poll.UntilEqualAsync(0, () => Server.GetClientConnectionCountAsync(), "the closed connections are gone");
    }
}
