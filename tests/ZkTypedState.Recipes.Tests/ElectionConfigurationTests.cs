using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests;

/// <summary><c>AddLeaderElection(name, section)</c>: every setting from configuration, and a typo or a bad value is an error at start.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ElectionConfigurationTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task An_election_configured_from_appsettings_runs_with_every_setting_bound_and_code_winning()
    {
        string path = ZooKeeperFixture.UniquePath("configured");
        using IHost host = Build($$"""
            { "Elections": { "Billing": {
                "ElectionPath": "{{path}}",
                "ParticipantId": "from-config",
                "DisconnectPolicy": "KeepUntilSessionLost",
                "CreateParentsAsContainers": false,
                "DefaultAcl": [ { "Permissions": "Read, Write, Create, Delete", "Id": { "Scheme": "world", "Id": "anyone" } } ],
                "CloseTimeout": "00:00:03",
                "MaxRetryDelay": "00:00:01"
            } } }
            """, o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(500));

        LeaderElectionOptions o = host.Services.GetRequiredService<IOptionsMonitor<LeaderElectionOptions>>().Get("billing");
        Assert.Equal(
            (path, "from-config", LeadershipDisconnectPolicy.KeepUntilSessionLost, false, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500)),
            (o.ElectionPath, o.ParticipantId, o.DisconnectPolicy, o.CreateParentsAsContainers, o.CloseTimeout, o.MaxRetryDelay));
        Assert.Equal([new Acl(Permissions.Read | Permissions.Write | Permissions.Create | Permissions.Delete, new ZkId("world", "anyone"))], o.DefaultAcl);

        await host.StartAsync(Timeouts.Token());
        ILeaderElection election = host.Services.GetRequiredKeyedService<ILeaderElection>("billing");
        await election.WaitForLeadershipAsync(Timeouts.Token());
        Assert.Equal((path, "from-config"), (election.ElectionPath, election.ParticipantId));
        await host.StopAsync(Timeouts.Token());
    }

    [Theory]
    [InlineData("""{ "ElectionPath": "/ok", "ParticipantID": "x", "CloseTimout": "00:00:03" }""", "CloseTimout")]
    [InlineData("""{ "ElectionPath": "/ok", "CloseTimeout": "soon" }""", "Elections:Billing:CloseTimeout")]
    [InlineData("""{ "ElectionPath": "/ok", "DisconnectPolicy": "Sometimes" }""", "DisconnectPolicy")]
    [InlineData("""{ "ElectionPath": "/ok", "CloseTimeout": "00:00:00" }""", "CloseTimeout must be between")]
    [InlineData("""{ "ParticipantId": "x" }""", "ElectionPath is not set")]
    public async Task A_typo_a_bad_value_or_a_missing_path_fails_host_start_naming_it(string election, string expected)
    {
        using IHost host = Build($$"""{ "Elections": { "Billing": {{election}} } }""");
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Timeouts.Token()));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("billing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_binding_covers_every_setting_of_the_options()
    {
        string[] settings = [.. typeof(LeaderElectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order()];
        string[] bound = [.. typeof(LeaderElectionOptionsBinding).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order()];
        Assert.Equal(settings, bound);
    }

    private IHost Build(string json, Action<LeaderElectionOptions>? configure = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = fixture.ConnectionString;
            o.SessionTimeout = TimeSpan.FromSeconds(4);
        });
        builder.Services.AddLeaderElection("billing", builder.Configuration.GetSection("Elections:Billing"), configure);
        return builder.Build();
    }
}
