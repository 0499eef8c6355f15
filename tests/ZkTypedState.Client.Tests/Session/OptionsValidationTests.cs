namespace ZkTypedState.Client.Tests.Session;

/// <summary>Every invalid option is refused at construction, naming the option.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, Action<ZooKeeperClientOptions>> InvalidOptions => new()
    {
        { nameof(ZooKeeperClientOptions.ConnectionString), o => o.ConnectionString = " " },
        { "IPv6", o => o.ConnectionString = "::1" },
        { nameof(ZooKeeperClientOptions.SessionTimeout), o => o.SessionTimeout = TimeSpan.Zero },
        { nameof(ZooKeeperClientOptions.SessionTimeout), o => o.SessionTimeout = TimeSpan.FromDays(30) },
        { nameof(ZooKeeperClientOptions.MaxReconnectDelay), o => o.MaxReconnectDelay = TimeSpan.FromMilliseconds(-1) },
        { nameof(ZooKeeperClientOptions.CloseTimeout), o => o.CloseTimeout = TimeSpan.FromSeconds(-1) },
        { nameof(ZooKeeperClientOptions.CloseTimeout), o => o.CloseTimeout = TimeSpan.MaxValue },
        { nameof(ZooKeeperClientOptions.ConnectTimeout), o => o.ConnectTimeout = TimeSpan.Zero },
        { nameof(ZooKeeperClientOptions.OperationTimeout), o => o.OperationTimeout = TimeSpan.FromSeconds(-5) },
        { nameof(ZooKeeperClientOptions.MaxFrameSize), o => o.MaxFrameSize = 100 },
        { nameof(ZooKeeperClientOptions.MaxRequestSize), o => o.MaxRequestSize = 0 },
        { nameof(ZooKeeperClientOptions.MaxRequestSize), o => o.MaxRequestSize = -1 },
        { nameof(ZooKeeperClientOptions.PresumedExpiryFraction), o => o.PresumedExpiryFraction = double.NaN },
        { nameof(ZooKeeperClientOptions.PresumedExpiryFraction), o => o.PresumedExpiryFraction = 0 },
        { nameof(ZooKeeperClientOptions.InitialLastZxidSeen), o => o.InitialLastZxidSeen = -1 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_invalid_option_is_rejected_at_construction_with_its_name(string expected, Action<ZooKeeperClientOptions> spoil)
    {
        var options = new ZooKeeperClientOptions();
        spoil(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => new ZooKeeperClient(options));
        Assert.Contains(expected, error.Message);
        Assert.ThrowsAny<ArgumentException>(options.Validate);
    }

    [Fact]
    public void The_defaults_and_the_infinite_timeouts_are_valid()
    {
        new ZooKeeperClientOptions().Validate();
        new ZooKeeperClientOptions
        {
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            OperationTimeout = Timeout.InfiniteTimeSpan,
            MaxReconnectDelay = TimeSpan.Zero,
            CloseTimeout = TimeSpan.Zero,
        }.Validate();
    }
}
