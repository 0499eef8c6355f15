using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Tests.Harness;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Session;

/// <summary>ConnectTimeout, OperationTimeout and how failed connects are reported.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task ConnectAsync_to_an_unreachable_port_fails_after_the_connect_timeout_with_the_last_connection_error()
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}",
            SessionTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromMilliseconds(700),
        };
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ConnectTimeoutException>(() => ZooKeeperClient.ConnectAsync(options).WaitAsync(Timeouts.Event));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(690), TimeSpan.FromSeconds(5));
        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.NotNull(error.InnerException);
        Assert.Contains(error.InnerException!.Message, error.Message);
    }

    [Fact]
    public async Task ConnectAsync_to_a_server_that_never_answers_the_handshake_reports_the_handshake_timeout()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = server.ConnectionString,
            SessionTimeout = TimeSpan.FromMilliseconds(300),
            ConnectTimeout = TimeSpan.FromMilliseconds(1500),
        };
        var error = await Assert.ThrowsAsync<ConnectTimeoutException>(() => ZooKeeperClient.ConnectAsync(options).WaitAsync(Timeouts.Event));
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Contains("No handshake answer", error.InnerException!.Message);
    }

    [Fact]
    public async Task A_call_without_a_reply_fails_with_OperationTimeout_when_one_is_set()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server, configure: o => o.OperationTimeout = TimeSpan.FromMilliseconds(300));
        await using (client)
        {
            _ = Task.Run(async () =>
            {
                // Pings are answered, the request never is.
                while (await connection.ReadRequestAnsweringPingsAsync() is not null)
                {
                }
            });
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<OperationTimeoutException>(() => client.GetDataAsync("/a").WaitAsync(Timeouts.Event));
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
            Assert.Equal("/a", error.Path);
            Assert.Equal(ZooKeeperState.Connected, client.State);
        }
    }

    [Fact]
    public async Task A_call_waiting_for_a_session_fails_with_OperationTimeout_when_one_is_set()
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}",
            OperationTimeout = TimeSpan.FromMilliseconds(300),
        });
        await using (client)
        {
            await Assert.ThrowsAsync<OperationTimeoutException>(() => client.ExistsAsync("/x").WaitAsync(Timeouts.Event));
            Assert.Equal(ZooKeeperState.Connecting, client.State);
        }
    }

    [Fact]
    public async Task Without_an_operation_timeout_a_call_waits_for_a_session()
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}" });
        await using (client)
        {
            Task<Stat?> call = client.ExistsAsync("/x");
            await Task.Delay(400);
            Assert.False(call.IsCompleted);
            await client.DisposeAsync();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => call.WaitAsync(Timeouts.Event));
        }
    }

    [Fact]
    public async Task Failed_connects_are_logged_at_Warning_once_then_rate_limited()
    {
        var logs = new ListLoggerFactory();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}", LoggerFactory = logs });
        await using (client)
        {
            await Poll.UntilAsync(() => logs.Entries.Count(e => e.Level == LogLevel.Debug && e.Message.Contains("Connection attempt")) >= 3, "three attempts failed");
        }

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("Cannot connect")).ToList();
        Assert.Single(warnings);
    }
}
