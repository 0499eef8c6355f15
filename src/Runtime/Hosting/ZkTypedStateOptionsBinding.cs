using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// What configuration binds into a <see cref="ZkTypedStateOptions"/>: every text-representable setting, forwarded to
/// the options instance. The binding generator is pointed at this view rather than at the options themselves because
/// <see cref="ZkTypedStateOptions.Tls"/> holds certificate objects and a callback, which no configuration can express
/// (and which the generator refuses); its text settings are bound through <see cref="ZkTypedStateTlsBinding"/>.
/// A test keeps this list in step with the options' public settings.
/// </summary>
internal sealed class ZkTypedStateOptionsBinding
{
    private readonly ZkTypedStateOptions _options;

    // For the binding generator's benefit only (it never creates the view: Bind is given an instance).
    public ZkTypedStateOptionsBinding()
        : this(new ZkTypedStateOptions())
    {
    }

    public ZkTypedStateOptionsBinding(ZkTypedStateOptions options) => _options = options;

    public string ConnectionString { get => _options.ConnectionString; set => _options.ConnectionString = value; }

    public TimeSpan SessionTimeout { get => _options.SessionTimeout; set => _options.SessionTimeout = value; }

    public TimeSpan InitialSyncTimeout { get => _options.InitialSyncTimeout; set => _options.InitialSyncTimeout = value; }

    public InitialSyncFailureBehavior InitialSyncFailure { get => _options.InitialSyncFailure; set => _options.InitialSyncFailure = value; }

    public SessionLossPolicy SessionLossPolicy { get => _options.SessionLossPolicy; set => _options.SessionLossPolicy = value; }

    public int MaxConcurrentReads { get => _options.MaxConcurrentReads; set => _options.MaxConcurrentReads = value; }

    public int MaxFamilyNonMembers { get => _options.MaxFamilyNonMembers; set => _options.MaxFamilyNonMembers = value; }

    public double PresumedExpiryFraction { get => _options.PresumedExpiryFraction; set => _options.PresumedExpiryFraction = value; }

    public TimeSpan MaxNewSessionDelay { get => _options.MaxNewSessionDelay; set => _options.MaxNewSessionDelay = value; }

    public int MaxPayloadBytes { get => _options.MaxPayloadBytes; set => _options.MaxPayloadBytes = value; }

    // Get-only: the binder adds one entry per configured element (an element with no known key still becomes an
    // entry, which validation then reports instead of dropping it).
    public IList<ZooKeeperCredential> Credentials => _options.Credentials;

    // Reads as null so a configured list replaces the ACL instead of being appended to one set earlier.
    public List<Acl>? DefaultAcl { get => null; set => _options.DefaultAcl = value; }

    // Reads as null: the binder creates one when the section has a Tls child, and hands it over here.
    public ZkTypedStateTlsBinding? Tls { get => null; set => value?.ApplyTo(_options); }

    /// <summary>Binds <paramref name="section"/> into <paramref name="options"/> (generated code, no reflection).</summary>
    /// <exception cref="OptionsValidationException">A value cannot be converted, or a TLS file cannot be loaded; the message names it.</exception>
    public static void Bind(IConfiguration section, ZkTypedStateOptions options)
    {
        try
        {
            section.Bind(new ZkTypedStateOptionsBinding(options));
        }
        catch (InvalidOperationException ex)
        {
            // The binder's own message names the key and the value it could not convert ("Failed to convert …").
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(ZkTypedStateOptions), [$"ZkTypedStateOptions from configuration section '{(section as IConfigurationSection)?.Path}': {ex.Message}"]);
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(ZkTypedStateOptions), [ex.Message]);
        }
    }
}
