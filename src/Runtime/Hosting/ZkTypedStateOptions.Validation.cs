using ZkTypedState.Client;
using ZkTypedState.Client.Session;

namespace ZkTypedState;

public sealed partial class ZkTypedStateOptions
{
    /// <summary>
    /// Checks every setting and throws an <see cref="ArgumentException"/> naming the option and its accepted range.
    /// It also builds the client options the session would use (including <see cref="ConfigureClient"/> and
    /// <see cref="Tls"/>) and validates them with <see cref="ZooKeeperClientOptions.Validate"/>, so a bad connection
    /// string or client setting fails at startup, not in a background reconnect loop. The host calls it when the options
    /// are first resolved (<c>ValidateOnStart</c>); <see cref="ZooKeeperSession"/> calls it when constructed.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ZkTypedStateOptions.ConnectionString must name at least one host (host:port[,host:port…][/chroot]).", nameof(ConnectionString));
        }

        RequirePositive(SessionTimeout, nameof(SessionTimeout));
        RequirePositive(InitialSyncTimeout, nameof(InitialSyncTimeout), allowInfinite: true);
        RequirePositive(MaxNewSessionDelay, nameof(MaxNewSessionDelay));
        RequireDefined(InitialSyncFailure, nameof(InitialSyncFailure));
        RequireDefined(SessionLossPolicy, nameof(SessionLossPolicy));
        RequireAtLeast(MaxConcurrentReads, 0, nameof(MaxConcurrentReads));
        RequireAtLeast(MaxFamilyNonMembers, 1, nameof(MaxFamilyNonMembers));
        RequireAtLeast(MaxPayloadBytes, 1, nameof(MaxPayloadBytes));
        for (int i = 0; i < Credentials.Count; i++)
        {
            if (Credentials[i] is not { } credential)
            {
                throw new ArgumentException($"ZkTypedStateOptions.Credentials[{i}] is null.", nameof(Credentials));
            }

            credential.Validate($"Credentials[{i}]");
        }

        ValidateAcl(DefaultAcl, Credentials.Count > 0, "ZkTypedStateOptions.DefaultAcl");

        // PresumedExpiryFraction, Tls and everything ConfigureClient sets are checked by the client's own rules.
        BuildClientOptions(lastZxid: 0, loggerFactory: null, meterFactory: null).Validate();
    }

    /// <summary>The client options a session of these settings uses (one place, so validation checks what is used).</summary>
    internal ZooKeeperClientOptions BuildClientOptions(long lastZxid, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory)
    {
        var clientOptions = new ZooKeeperClientOptions
        {
            ConnectionString = ConnectionString,
            SessionTimeout = SessionTimeout,
            PresumedExpiryFraction = PresumedExpiryFraction,
            LoggerFactory = loggerFactory,
            MeterFactory = meterFactory,
            InitialLastZxidSeen = lastZxid,
            Tls = Tls,
        };
        ConfigureClient?.Invoke(clientOptions);
        return clientOptions;
    }

    private static void RequirePositive(TimeSpan value, string name, bool allowInfinite = false) =>
        TimeSpanOptionChecks.RequirePositive(value, name, "ZkTypedStateOptions." + name, allowInfinite, showValue: true);

    private static void RequireAtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"ZkTypedStateOptions.{name} must be at least {minimum} (was {value}).");
        }
    }

    private static void RequireDefined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"ZkTypedStateOptions.{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())} (was {value}).");
        }
    }
}
