using Microsoft.Extensions.Configuration;

namespace ZkTypedState.Configuration;

/// <summary>The configuration source added by <c>AddZooKeeper(...)</c>: builds a <see cref="ZooKeeperConfigurationProvider"/>.</summary>
public sealed class ZooKeeperConfigurationSource : IConfigurationSource
{
    /// <summary>Creates the source; the options are validated here, so a bad setting fails at <c>AddZooKeeper</c>.</summary>
    public ZooKeeperConfigurationSource(ZooKeeperConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The provider's settings.</summary>
    public ZooKeeperConfigurationOptions Options { get; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ZooKeeperConfigurationProvider(Options);
}
