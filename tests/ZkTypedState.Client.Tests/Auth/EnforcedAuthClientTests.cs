using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Auth;

/// <summary>
/// Our client against a server with enforce.auth: without credentials the server's -124 is an authentication
/// failure — terminal AuthFailed, a typed cause, one clear log line — not an endless reconnect to the same session.
/// </summary>
public sealed class EnforcedAuthClientTests(EnforcedAuthServerFixture fixture) : IClassFixture<EnforcedAuthServerFixture>
{
    [Fact]
    public async Task A_request_without_credentials_fails_with_AuthFailed_caused_by_minus_124_and_the_client_does_not_reconnect()
    {
        using var logs = new ListLoggerFactory();
        var client = new ZooKeeperClient(Options(logs));
        ZooKeeperStateChange? terminal = null;
        client.StateChanged += change => terminal = change.Current == ZooKeeperState.AuthFailed ? change : terminal;
        await using (client)
        {
            await client.WaitForConnectedAsync(Timeouts.Token());

            var failure = await Assert.ThrowsAsync<AuthFailedException>(() => client.ExistsAsync("/").WaitAsync(Timeouts.Event));

            var cause = Assert.IsType<SessionClosedRequireAuthException>(failure.InnerException);
            Assert.Equal(ZooKeeperErrorCode.SessionClosedRequireSaslAuth, cause.Code);
            Assert.Contains("requires authentication (enforce.auth) and no credentials were accepted", failure.Message);
            await client.WaitForStateAsync(s => s == ZooKeeperState.AuthFailed, Timeouts.Token());
            Assert.IsType<SessionClosedRequireAuthException>(client.LastConnectionError);
            var later = await Assert.ThrowsAsync<AuthFailedException>(() => client.GetDataAsync("/"));
            Assert.IsType<SessionClosedRequireAuthException>(later.InnerException);
            await Assert.ThrowsAsync<AuthFailedException>(() => client.WaitForConnectedAsync());
        }

        // Disposing waited for the session loop: it ended at the failure instead of connecting again.
        Assert.Single(logs.Entries, e => e.Message.StartsWith("Connected to", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("requires authentication (enforce.auth) and no credentials were accepted", StringComparison.Ordinal));
        Assert.IsType<SessionClosedRequireAuthException>(terminal?.Reason);
    }

    [Fact]
    public async Task An_idle_client_without_credentials_is_failed_by_its_first_ping()
    {
        var client = new ZooKeeperClient(Options(null));
        await using (client)
        {
            // Nothing but pings: the server answers the first one with -124 and closes.
            ZooKeeperState state = await client.WaitForStateAsync(s => s == ZooKeeperState.AuthFailed, Timeouts.Token());

            Assert.Equal(ZooKeeperState.AuthFailed, state);
            Assert.IsType<SessionClosedRequireAuthException>(client.LastConnectionError);
        }
    }

    [Fact]
    public async Task An_accepted_credential_of_a_scheme_the_server_does_not_enforce_still_draws_minus_124()
    {
        var client = new ZooKeeperClient(Options(null));
        await using (client)
        {
            // The ip provider accepts it (the connection gains an ip identity), but the server enforces digest.
            await client.AddAuthAsync("ip", "127.0.0.1"u8.ToArray()).WaitAsync(Timeouts.Event);

            var failure = await Assert.ThrowsAsync<AuthFailedException>(() => client.ExistsAsync("/").WaitAsync(Timeouts.Event));

            Assert.IsType<SessionClosedRequireAuthException>(failure.InnerException);
            Assert.Equal(ZooKeeperState.AuthFailed, await client.WaitForStateAsync(s => s.IsTerminal(), Timeouts.Token()));
        }
    }

    [Fact]
    public async Task Credentials_added_before_the_first_request_satisfy_the_server()
    {
        var client = new ZooKeeperClient(Options(null));
        await using (client)
        {
            Task auth = client.AddDigestAuthAsync("app", "any-password");

            Assert.NotNull(await client.ExistsAsync("/").WaitAsync(Timeouts.Event));
            await auth.WaitAsync(Timeouts.Event);
            Assert.Equal(ZooKeeperState.Connected, client.State);
        }
    }

    private ZooKeeperClientOptions Options(ILoggerFactory? logs) => new()
    {
        ConnectionString = fixture.Server.ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(4),
        LoggerFactory = logs,
    };
}
