using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>
/// What configuration binds into a <see cref="LeaderElectionOptions"/>: every setting, forwarded to the options
/// instance. A view rather than the options themselves so a configured <c>DefaultAcl</c> replaces the ACL instead of
/// being appended to one, and so the binding generator sees plain settable properties. A test keeps this list in step
/// with the options' public settings.
/// </summary>
internal sealed class LeaderElectionOptionsBinding
{
    private readonly LeaderElectionOptions _options;

    // For the binding generator's benefit only (it never creates the view: Bind is given an instance).
    public LeaderElectionOptionsBinding()
        : this(new LeaderElectionOptions())
    {
    }

    public LeaderElectionOptionsBinding(LeaderElectionOptions options) => _options = options;

    public string? ElectionPath { get => _options.ElectionPath; set => _options.ElectionPath = value; }

    public string ParticipantId { get => _options.ParticipantId; set => _options.ParticipantId = value; }

    public LeadershipDisconnectPolicy DisconnectPolicy { get => _options.DisconnectPolicy; set => _options.DisconnectPolicy = value; }

    public bool CreateParentsAsContainers { get => _options.CreateParentsAsContainers; set => _options.CreateParentsAsContainers = value; }

    // Reads as null so a configured list replaces the ACL instead of being appended to one set earlier.
    public List<Acl>? DefaultAcl { get => null; set => _options.DefaultAcl = value; }

    public TimeSpan CloseTimeout { get => _options.CloseTimeout; set => _options.CloseTimeout = value; }

    public TimeSpan MaxRetryDelay { get => _options.MaxRetryDelay; set => _options.MaxRetryDelay = value; }

    /// <summary>
    /// Binds <paramref name="section"/> into <paramref name="options"/> (generated code, no reflection). A key that is no
    /// setting (a typo) is an error, not ignored: an election section holds nothing else.
    /// </summary>
    /// <exception cref="OptionsValidationException">A key is unknown or a value cannot be converted; the message names it.</exception>
    public static void Bind(IConfiguration section, LeaderElectionOptions options, string name)
    {
        try
        {
            section.Bind(new LeaderElectionOptionsBinding(options), static b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's own message names the key it does not know, or the key and value it could not convert.
            throw new OptionsValidationException(name, typeof(LeaderElectionOptions), [$"AddLeaderElection(\"{name}\") from configuration section '{(section as IConfigurationSection)?.Path}': {ex.Message}"]);
        }
    }
}
