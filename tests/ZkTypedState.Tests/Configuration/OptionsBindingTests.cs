using System.Reflection;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Configuration;

/// <summary>Issue 16 item 3: AddZkTypedState(IConfiguration) binds every text setting; bad entries fail startup with a clear message.</summary>
public sealed class OptionsBindingTests
{
    private const string Json = """
        {
          "ZooKeeper": {
            "ConnectionString": "zk1:2181,zk2:2181/myapp",
            "SessionTimeout": "00:00:07",
            "InitialSyncTimeout": "00:00:45",
            "InitialSyncFailure": "Continue",
            "SessionLossPolicy": "ServeStaleAndRebuild",
            "MaxConcurrentReads": 17,
            "MaxFamilyNonMembers": 33,
            "PresumedExpiryFraction": 0.8,
            "MaxNewSessionDelay": "00:00:02",
            "MaxPayloadBytes": 4096,
            "Credentials": [
              { "Scheme": "digest", "User": "app", "Password": "s3cret" },
              { "Scheme": "custom", "Secret": "token-value" },
              { "Scheme": "raw", "AuthBytes": "AQID" }
            ],
            "DefaultAcl": [
              { "Permissions": "All", "Id": { "Scheme": "auth", "Id": "" } },
              { "Permissions": "Read, Write", "Id": { "Scheme": "world", "Id": "anyone" } }
            ],
            "Tls": { "TargetHost": "zk.internal", "EnabledProtocols": "Tls12, Tls13", "CertificateRevocationCheckMode": "Offline" }
          }
        }
        """;

    [Fact]
    public void Every_text_setting_is_bound_from_a_json_section()
    {
        ZkTypedStateOptions o = Resolve(Json);

        Assert.Equal("zk1:2181,zk2:2181/myapp", o.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(7), o.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), o.InitialSyncTimeout);
        Assert.Equal(InitialSyncFailureBehavior.Continue, o.InitialSyncFailure);
        Assert.Equal(SessionLossPolicy.ServeStaleAndRebuild, o.SessionLossPolicy);
        Assert.Equal(17, o.MaxConcurrentReads);
        Assert.Equal(33, o.MaxFamilyNonMembers);
        Assert.Equal(0.8, o.PresumedExpiryFraction);
        Assert.Equal(TimeSpan.FromSeconds(2), o.MaxNewSessionDelay);
        Assert.Equal(4096, o.MaxPayloadBytes);

        Assert.Equal(3, o.Credentials.Count);
        Assert.Equal("app:s3cret"u8.ToArray(), o.Credentials[0].GetAuthBytes());
        Assert.Equal("token-value"u8.ToArray(), o.Credentials[1].GetAuthBytes());
        Assert.Equal(new byte[] { 1, 2, 3 }, o.Credentials[2].GetAuthBytes());

        Assert.Equal([new Acl(Permissions.All, new ZkId("auth", string.Empty)), new Acl(Permissions.Read | Permissions.Write, new ZkId("world", "anyone"))], o.DefaultAcl);

        Assert.NotNull(o.Tls);
        Assert.Equal("zk.internal", o.Tls!.TargetHost);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, o.Tls.EnabledProtocols);
        Assert.Equal(System.Security.Cryptography.X509Certificates.X509RevocationMode.Offline, o.Tls.CertificateRevocationCheckMode);
        o.Validate();
    }

    [Fact]
    public void Without_a_DefaultAcl_it_is_CreatorAll_with_credentials_and_OpenUnsafe_without()
    {
        var withCredentials = new ZkTypedStateOptions().AddDigestCredentials("app", "pw");
        Assert.Same(Acl.CreatorAll, withCredentials.ResolveDefaultAcl());
        withCredentials.Validate();
        Assert.Same(Acl.OpenUnsafe, new ZkTypedStateOptions().ResolveDefaultAcl());
    }

    [Fact]
    public void Code_configuration_runs_after_the_binding_and_wins()
    {
        ZkTypedStateOptions o = Resolve(Json, o =>
        {
            o.SessionTimeout = TimeSpan.FromSeconds(3);
            o.AddDigestCredentials("second", "pw");
        });

        Assert.Equal(TimeSpan.FromSeconds(3), o.SessionTimeout);
        Assert.Equal(["app", null, null, "second"], o.Credentials.Select(c => c.User));
    }

    [Fact]
    public void Tls_Enabled_false_turns_TLS_off_and_an_empty_section_leaves_it_off()
    {
        Assert.Null(Resolve("""{ "ZooKeeper": { "Tls": { "Enabled": false } } }""").Tls);
        Assert.Null(Resolve("""{ "ZooKeeper": { "ConnectionString": "zk:2181" } }""").Tls);
        Assert.NotNull(Resolve("""{ "ZooKeeper": { "Tls": { "Enabled": true } } }""").Tls);
    }

    public static TheoryData<string, string> BadEntries => new()
    {
        // A mistyped key: the entry is kept and reported, not dropped.
        { """{ "Scheme": "digest", "Usr": "app", "Password": "pw" }""", "Credentials[0] (digest) has a Password but no User" },
        { """{ "Scheme": "digest", "User": "app" }""", "Credentials[0] (digest) for user 'app' has no Password" },
        { """{ "User": "app", "Password": "pw" }""", "Credentials[0] has no Scheme" },
        { """{ "Scheme": "digest", "User": "app", "Password": "pw", "Secret": "app:pw" }""", "sets User/Password and Secret" },
        { """{ "Scheme": "ip", "User": "app", "Password": "pw" }""", "User and Password are for the \"digest\" scheme only" },
        { """{ "Scheme": "digest", "Secret": "no-colon" }""", "a digest Secret has the form \"user:password\"" },
        { """{ "Scheme": "custom", "Secret": "" }""", "has an empty Secret" },
        { """{ "Scheme": "digest", "Password": "pw", "Pasword": "typo" }""", "has a Password but no User" },
        { """{ "Scheme": "digest" }""", "has no secret" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public async Task A_bad_credential_entry_fails_host_start_with_a_message_naming_it(string entry, string expected)
    {
        var error = await StartAndFailAsync($$"""{ "ZooKeeper": { "ConnectionString": "127.0.0.1:2181", "Credentials": [ {{entry}} ] } }""");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("typo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_element_in_configuration_is_an_error_not_dropped()
    {
        // What environment variables produce for a half-configured entry: ZooKeeper__Credentials__0__Scheme=digest.
        var error = await StartAndFailAsync(new Dictionary<string, string?> { ["ZooKeeper:Credentials:0:Scheme"] = "digest" });
        Assert.Contains("Credentials[0] (digest) has no secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatorAll_from_configuration_without_credentials_fails_start_because_the_server_would_refuse_it()
    {
        var error = await StartAndFailAsync("""{ "ZooKeeper": { "DefaultAcl": [ { "Permissions": "All", "Id": { "Scheme": "auth", "Id": "" } } ] } }""");
        Assert.Contains("DefaultAcl[0] is an 'auth' entry", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidACL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_fails_start_naming_the_key()
    {
        var error = await StartAndFailAsync("""{ "ZooKeeper": { "SessionTimeout": "ten seconds" } }""");
        Assert.Contains("ZooKeeper:SessionTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ACL_entry_without_its_id_fails_start_naming_the_type()
    {
        var error = await StartAndFailAsync("""{ "ZooKeeper": { "DefaultAcl": [ { "Permissions": "Read" } ] } }""");
        Assert.Contains("'Id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_never_show_their_secret()
    {
        ZooKeeperCredential[] credentials = [ZooKeeperCredential.Digest("app", "s3cret-pw"), ZooKeeperCredential.FromSecret("custom", "s3cret-token"), ZooKeeperCredential.FromBytes("raw", "s3cret-bytes"u8)];
        foreach (ZooKeeperCredential credential in credentials)
        {
            Assert.DoesNotContain("s3cret", credential.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal("digest credential for user 'app'", credentials[0].ToString());
    }

    [Fact]
    public void The_binding_view_forwards_every_public_setting_of_the_options()
    {
        // Settings that have no text form are code-only by design.
        string[] codeOnly = [nameof(ZkTypedStateOptions.ConfigureClient)];
        string[] settings = [.. typeof(ZkTypedStateOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Except(codeOnly).Order()];
        string[] bound = [.. typeof(ZkTypedStateOptionsBinding).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order()];
        Assert.Equal(settings, bound);
    }

    [Fact]
    public void Options_monitor_follows_a_reload_of_the_section()
    {
        var source = new Dictionary<string, string?> { ["ZooKeeper:ConnectionString"] = "zk1:2181" };
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(source);
        var services = new ServiceCollection();
        services.AddZkTypedState(configuration.GetSection("ZooKeeper"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<ZkTypedStateOptions>>();
        Assert.Equal("zk1:2181", monitor.CurrentValue.ConnectionString);

        configuration["ZooKeeper:ConnectionString"] = "zk2:2181";
        ((IConfigurationRoot)configuration).Reload();
        Assert.Equal("zk2:2181", monitor.CurrentValue.ConnectionString);
    }

    internal static ZkTypedStateOptions Resolve(string json, Action<ZkTypedStateOptions>? configure = null)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddZkTypedState(configuration.GetSection("ZooKeeper"), configure);
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ZkTypedStateOptions>>().Value;
    }

    private static Task<OptionsValidationException> StartAndFailAsync(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return StartAndFailAsync(configuration);
    }

    private static Task<OptionsValidationException> StartAndFailAsync(Dictionary<string, string?> values) =>
        StartAndFailAsync(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static Task<OptionsValidationException> StartAndFailAsync(IConfiguration configuration) =>
        FailingHost.StartAsync<OptionsValidationException>(s => s.AddZkTypedState(configuration.GetSection("ZooKeeper")));
}
