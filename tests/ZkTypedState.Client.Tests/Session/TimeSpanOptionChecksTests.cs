using ZkTypedState.Client.Session;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Session;

/// <summary>
/// The one positive-TimeSpan check behind the client's, the runtime's and the test server's options: each keeps its
/// message to the letter (the runtime's own wording is pinned in the runtime's tests).
/// </summary>
public sealed class TimeSpanOptionChecksTests
{
    [Theory]
    [InlineData(0, false, "ZooKeeperClientOptions.SessionTimeout must be positive and at most 2147483647 ms.")]
    [InlineData(-5, true, "ZooKeeperClientOptions.SessionTimeout must be positive and at most 2147483647 ms (or Timeout.InfiniteTimeSpan).")]
    public void The_client_messages_are_unchanged(int milliseconds, bool allowInfinite, string expected)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSpanOptionChecks.RequirePositive(TimeSpan.FromMilliseconds(milliseconds), "SessionTimeout", "ZooKeeperClientOptions.SessionTimeout", allowInfinite));

        Assert.StartsWith(expected + " (Parameter 'SessionTimeout')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_options_use_it_for_their_timeouts()
    {
        var options = new ZooKeeperClientOptions { ConnectTimeout = TimeSpan.FromDays(30) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.StartsWith("ZooKeeperClientOptions.ConnectTimeout must be positive and at most 2147483647 ms (or Timeout.InfiniteTimeSpan). (Parameter 'ConnectTimeout')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_milliseconds_bound_only_positivity_counts_and_the_message_is_the_short_one()
    {
        TimeSpanOptionChecks.RequirePositive(TimeSpan.FromDays(100), "StartTimeout", "StartTimeout", atMostInt32Milliseconds: false);
        TimeSpanOptionChecks.RequirePositive(Timeout.InfiniteTimeSpan, "SessionTimeout", "X.SessionTimeout", allowInfinite: true);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSpanOptionChecks.RequirePositive(TimeSpan.Zero, "StartTimeout", "StartTimeout", atMostInt32Milliseconds: false));

        Assert.StartsWith("StartTimeout must be positive. (Parameter 'StartTimeout')", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, error.ActualValue);
    }

    [Fact]
    public async Task The_test_server_refuses_a_zero_StartTimeout_with_its_message()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { StartTimeout = TimeSpan.Zero }));

        Assert.StartsWith("StartTimeout must be positive. (Parameter 'StartTimeout')", error.Message, StringComparison.Ordinal);
    }
}
