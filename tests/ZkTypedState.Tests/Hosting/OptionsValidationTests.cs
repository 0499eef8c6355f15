using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Hosting;

/// <summary>
/// Issue 13, items 5 and 7: the runtime's options (and the client options they produce) are validated when the host
/// starts, with a message naming the option; a startup that times out says why the connection failed.
/// </summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, Action<ZkTypedStateOptions>> InvalidSettings => new()
    {
        { "MaxConcurrentReads", o => o.MaxConcurrentReads = -1 },
        { "MaxFamilyNonMembers", o => o.MaxFamilyNonMembers = -1 },
        { "MaxPayloadBytes", o => o.MaxPayloadBytes = 0 },
        { "SessionTimeout", o => o.SessionTimeout = TimeSpan.Zero },
        { "InitialSyncTimeout", o => o.InitialSyncTimeout = TimeSpan.FromSeconds(-1) },
        { "MaxNewSessionDelay", o => o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(-5) },
        { "SessionLossPolicy", o => o.SessionLossPolicy = (SessionLossPolicy)42 },
        { "InitialSyncFailure", o => o.InitialSyncFailure = (InitialSyncFailureBehavior)7 },
        { "ConnectionString", o => o.ConnectionString = " " },
        { "Credentials[0] has no Scheme", o => o.AddCredentials(string.Empty, [1]) },
        { "Credentials[0] (digest) has a Password but no User", o => o.Credentials.Add(new ZooKeeperCredential { Scheme = "digest", Password = "p" }) },
        { "Credentials[1] (digest) for user 'app' has no Password", o => o.AddDigestCredentials("a", "b").Credentials.Add(new ZooKeeperCredential { Scheme = "digest", User = "app" }) },
        { "sets User/Password and Secret", o => o.Credentials.Add(new ZooKeeperCredential { Scheme = "digest", User = "app", Password = "p", Secret = "app:p" }) },
        { "has no secret", o => o.Credentials.Add(new ZooKeeperCredential { Scheme = "digest" }) },
        { "for the \"digest\" scheme only", o => o.Credentials.Add(new ZooKeeperCredential { Scheme = "ip", User = "app", Password = "p" }) },
        { "Credentials[0] is null", o => o.Credentials.Add(null!) },
        { "DefaultAcl is empty", o => o.DefaultAcl = [] },
        { "no Credentials are configured", o => o.DefaultAcl = Acl.CreatorAll },
        { "DefaultAcl[0] grants 'None'", o => o.DefaultAcl = [new Acl(Permissions.None, new ZkId("world", "anyone"))] },
        // The client's own rules, through the options the runtime builds for it.
        { "PresumedExpiryFraction", o => o.PresumedExpiryFraction = double.NaN },
        { "port", o => o.ConnectionString = "zk1: 2181" },
        { "MaxReconnectDelay", o => o.ConfigureClient = c => c.MaxReconnectDelay = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task An_invalid_setting_fails_host_start_with_a_message_naming_it(string option, Action<ZkTypedStateOptions> configure)
    {
        OptionsValidationException error = await FailingHost.StartAsync<OptionsValidationException>(s => s.AddZkTypedState(o =>
        {
            o.ConnectionString = "127.0.0.1:2181";
            configure(o);
        }));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_defaults_pass()
    {
        new ZkTypedStateOptions().Validate();
    }

    [Fact]
    public async Task A_startup_that_times_out_carries_the_last_connection_error()
    {
        // A loopback port with nothing listening: every attempt is refused at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        TimeoutException error = await FailingHost.StartAsync<TimeoutException>(s => s.AddZkTypedState(o =>
        {
            o.ConnectionString = $"127.0.0.1:{port}";
            o.InitialSyncTimeout = TimeSpan.FromSeconds(1.5);
        }).AddZNode(Descriptors.Counter("/options-validation/unreachable")));
        Assert.NotNull(error.InnerException);
        Assert.Contains("Last connection error", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-2000, "ZkTypedStateOptions.InitialSyncTimeout must be positive and at most 2147483647 ms (or Timeout.InfiniteTimeSpan) (was -00:00:02).")]
    [InlineData(0, "ZkTypedStateOptions.InitialSyncTimeout must be positive and at most 2147483647 ms (or Timeout.InfiniteTimeSpan) (was 00:00:00).")]
    public void The_runtime_timeout_messages_keep_their_wording(int milliseconds, string expected)
    {
        var options = new ZkTypedStateOptions { ConnectionString = "127.0.0.1:2181", InitialSyncTimeout = TimeSpan.FromMilliseconds(milliseconds) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.StartsWith(expected + " (Parameter 'InitialSyncTimeout')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runtime_session_timeout_beyond_int_milliseconds_is_refused_with_the_value()
    {
        var options = new ZkTypedStateOptions { ConnectionString = "127.0.0.1:2181", SessionTimeout = TimeSpan.FromDays(30) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.StartsWith("ZkTypedStateOptions.SessionTimeout must be positive and at most 2147483647 ms (was 30.00:00:00). (Parameter 'SessionTimeout')", error.Message, StringComparison.Ordinal);
    }
}
