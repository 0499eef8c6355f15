using ZkTypedState.Client;

namespace ZkTypedState.Configuration;

public sealed partial class ZooKeeperConfigurationOptions
{
    /// <summary>Checks every setting and throws an <see cref="ArgumentException"/> naming the option and what it accepts.</summary>
    public void Validate()
    {
        const string Name = nameof(ZooKeeperConfigurationOptions);
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{Name}.ConnectionString must name at least one host (host:port[,host:port…][/chroot]).", nameof(ConnectionString));
        }

        if (Subtrees.Count == 0)
        {
            throw new ArgumentException($"{Name}.Subtrees must list at least one subtree (e.g. AddSubtree(\"/app\")).", nameof(Subtrees));
        }

        for (int i = 0; i < Subtrees.Count; i++)
        {
            ZooKeeperConfigurationSubtree? subtree = Subtrees[i];
            if (subtree is null || ZooKeeperPath.GetError(subtree.Path) is { } pathError)
            {
                throw new ArgumentException($"{Name}.Subtrees[{i}].Path must be an absolute ZooKeeper path such as /app (was '{subtree?.Path}'): {(subtree is null ? "missing" : ZooKeeperPath.GetError(subtree.Path))}.", nameof(Subtrees));
            }

            if (subtree.KeyPrefix is { Length: > 0 } prefix && (prefix.StartsWith(':') || prefix.EndsWith(':') || prefix.Contains("::", StringComparison.Ordinal)))
            {
                throw new ArgumentException($"{Name}.Subtrees[{i}].KeyPrefix must be a configuration key such as Payments or App:Payments, without a leading, trailing or double ':' (was '{prefix}').", nameof(Subtrees));
            }
        }

        RequireRange(SessionTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(int.MaxValue), nameof(SessionTimeout));
        RequireRange(StartupTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5), nameof(StartupTimeout));
        RequireRange(ReloadDelay, TimeSpan.Zero, TimeSpan.FromSeconds(10), nameof(ReloadDelay));
        if (MaxNodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNodes), MaxNodes, $"{Name}.MaxNodes must be at least 1 (was {MaxNodes}).");
        }

        if (MaxConcurrentReads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentReads), MaxConcurrentReads, $"{Name}.MaxConcurrentReads must be at least 1 (was {MaxConcurrentReads}).");
        }

        if (!Enum.IsDefined(WatchMode))
        {
            throw new ArgumentOutOfRangeException(nameof(WatchMode), WatchMode, $"{Name}.WatchMode must be one of {string.Join(", ", Enum.GetNames<ZooKeeperWatchMode>())} (was {WatchMode}).");
        }

        if (!Enum.IsDefined(SessionLossPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionLossPolicy), SessionLossPolicy, $"{Name}.SessionLossPolicy must be one of {string.Join(", ", Enum.GetNames<SessionLossPolicy>())} (was {SessionLossPolicy}).");
        }

        // Credentials are checked by the session's rules (ZooKeeperCredential), in BuildSessionOptions().Validate().
        // The session's own rules (connection string syntax, TLS, client options) fail here rather than in a reconnect loop.
        BuildSessionOptions().Validate();
    }

    private static void RequireRange(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(ZooKeeperConfigurationOptions)}.{name} must be between {min} and {max} (was {value}).");
        }
    }
}
