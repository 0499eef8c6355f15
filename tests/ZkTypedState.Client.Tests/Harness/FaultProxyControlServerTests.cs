using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

public sealed class FaultProxyControlServerTests(StandaloneServerFixture fixture) : IClassFixture<StandaloneServerFixture>
{
    [Fact]
    public async Task Control_commands_drive_the_proxy_and_report_stats()
    {
        var server = fixture.Server;
        await using var proxy = await FaultProxy.StartAsync(server);
        var port = await proxy.StartControlServerAsync();
        Assert.Equal(port, await proxy.StartControlServerAsync());

        await using var control = await ControlConnection.OpenAsync(port);
        await using (var connection = await RawZooKeeperConnection.ConnectAsync("127.0.0.1", proxy.Port))
        {
            Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());
            Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());

            using (var stats = JsonDocument.Parse(await control.SendAsync("stats")))
            {
                Assert.Equal(1, stats.RootElement.GetProperty("connect").GetInt64());
                Assert.Equal(2, stats.RootElement.GetProperty("ops").GetProperty("11").GetInt64());
                Assert.Equal(1, stats.RootElement.GetProperty("active").GetInt32());
                Assert.Equal("forward", stats.RootElement.GetProperty("mode").GetString());
            }

            Assert.Equal("ok", await control.SendAsync("blackhole"));
            Assert.Equal(FaultMode.Blackhole, proxy.Mode);
            Assert.Equal("blackhole", await control.SendAsync("mode"));

            Assert.Equal("ok", await control.SendAsync("restore"));
            Assert.Equal(FaultMode.Forward, proxy.Mode);
            Assert.Equal(RawZooKeeperConnection.PingXid, await connection.PingAsync());

            Assert.Equal("ok", await control.SendAsync("cut"));
            Assert.Equal(FaultMode.Cut, proxy.Mode);
            Assert.Equal(0, await connection.ReceiveAsync());
        }

        Assert.Equal("ok", await control.SendAsync("RESTORE"));
        Assert.Equal("ok", await control.SendAsync("reset"));
        using (var stats = JsonDocument.Parse(await control.SendAsync("stats")))
        {
            Assert.Equal(0, stats.RootElement.GetProperty("connect").GetInt64());
            Assert.Empty(stats.RootElement.GetProperty("ops").EnumerateObject());
        }

        Assert.Equal("ok", await control.SendAsync("delay 25"));
        Assert.Equal(TimeSpan.FromMilliseconds(25), proxy.Delay);
        Assert.StartsWith("error", await control.SendAsync("delay soon"), StringComparison.Ordinal);
        Assert.StartsWith("error", await control.SendAsync("explode"), StringComparison.Ordinal);
        Assert.StartsWith("error", await control.SendAsync(string.Empty), StringComparison.Ordinal);
    }

    private sealed class ControlConnection : IAsyncDisposable
    {
        private readonly TcpClient client;
        private readonly StreamReader reader;
        private readonly StreamWriter writer;

        private ControlConnection(TcpClient client)
        {
            this.client = client;
            var stream = client.GetStream();
            reader = new StreamReader(stream, Encoding.UTF8);
            writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
        }

        public static async Task<ControlConnection> OpenAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return new ControlConnection(client);
        }

        public async Task<string> SendAsync(string command)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await writer.WriteLineAsync(command.AsMemory(), timeout.Token);
            return await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("Control connection closed.");
        }

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
