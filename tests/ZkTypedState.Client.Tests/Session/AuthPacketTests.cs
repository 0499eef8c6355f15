using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Session;

/// <summary>Auth on the wire: one packet per credential per connection, and a rejection the caller sees as such.</summary>
public sealed class AuthPacketTests(OwnServerFixture fixture) : IClassFixture<OwnServerFixture>
{
    private const int AuthOp = 100;

    [Fact]
    public async Task Credentials_added_right_after_construction_are_sent_once_per_connection_and_again_after_a_reconnect()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = proxy.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(8) });
        await using (client)
        {
            // As the runtime does: before the first connection exists.
            Task alice = client.AddDigestAuthAsync("alice", "pw");
            Task bob = client.AddDigestAuthAsync("bob", "pw");
            await Task.WhenAll(alice, bob).WaitAsync(Timeouts.Event);
            await client.ExistsAsync("/");
            Assert.Equal(2, proxy.GetRequestCount(AuthOp));

            // Added on a live connection: exactly one more packet.
            await client.AddDigestAuthAsync("carol", "pw").WaitAsync(Timeouts.Event);
            Assert.Equal(3, proxy.GetRequestCount(AuthOp));

            proxy.Cut();
            await client.WaitForStateAsync(s => s == ZooKeeperState.Disconnected, Timeouts.Token());
            proxy.Restore();
            await client.WaitForConnectedAsync(Timeouts.Token());
            await client.ExistsAsync("/");
            Assert.Equal(6, proxy.GetRequestCount(AuthOp));
        }
    }

    [Fact]
    public async Task A_credential_rejected_on_the_first_connection_fails_the_caller_with_AuthFailed_and_is_terminal()
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) });
        await using (client)
        {
            Task auth = client.AddAuthAsync("no-such-scheme", [1, 2, 3]);
            Task<NodeData> queued = client.GetDataAsync("/");

            await Assert.ThrowsAsync<AuthFailedException>(() => auth.WaitAsync(Timeouts.Event));
            await client.WaitForStateAsync(s => s == ZooKeeperState.AuthFailed, Timeouts.Token());
            Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => queued.WaitAsync(Timeouts.Event));
            Assert.IsType<AuthFailedException>(failure);
            await Assert.ThrowsAsync<AuthFailedException>(() => client.WaitForConnectedAsync());
        }

        UnobservedExceptions.AssertNone();
    }

    [Fact]
    public async Task Many_clients_with_a_rejected_credential_leave_no_unobserved_task_exception()
    {
        var clients = Enumerable.Range(0, 10)
            .Select(_ => new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) }))
            .ToList();
        foreach (ZooKeeperClient client in clients)
        {
            // Fire and forget, as the runtime does (it observes the task itself).
            _ = client.AddAuthAsync("no-such-scheme", [1]).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }

        foreach (ZooKeeperClient client in clients)
        {
            await client.WaitForStateAsync(s => s == ZooKeeperState.AuthFailed, Timeouts.Token());
            await client.DisposeAsync();
        }

        UnobservedExceptions.AssertNone();
    }

    [Fact]
    public async Task A_closeSession_the_server_never_confirms_is_not_an_unobserved_fault()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server, configure: o => o.CloseTimeout = TimeSpan.FromMilliseconds(100));
        _ = Task.Run(async () =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
            }
        });

        await client.DisposeAsync();
        UnobservedExceptions.AssertNone();
    }

    [Fact]
    public async Task A_digest_user_name_with_a_colon_is_rejected_before_anything_is_sent()
    {
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}" });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.AddDigestAuthAsync("ali:ce", "pw"));
        Assert.Contains("':'", error.Message);
    }
}
