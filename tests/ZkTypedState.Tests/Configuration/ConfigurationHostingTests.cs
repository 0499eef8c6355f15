using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Tests.Support;
using static ZkTypedState.Tests.Configuration.ConfigTestSupport;

namespace ZkTypedState.Tests.Configuration;

/// <summary>The provider in a generic host and in ASP.NET Core, layered with appsettings and environment variables.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class ConfigurationHostingTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task In_a_generic_host_IOptionsMonitor_bound_to_a_section_reloads_on_a_change_and_the_host_disposes_the_provider()
    {
        string root = RuntimeServerFixture.UniquePath("cfghost");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Payments", """{"Limit":5,"Hosts":["a","b"]}"""));
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.FlattenJson = true;
        });
        builder.Services.Configure<PaymentOptions>(builder.Configuration.GetSection("Payments"));
        ZooKeeperConfigurationProvider provider = Assert.Single(((IConfigurationRoot)builder.Configuration).GetZooKeeperProviders());
        using (IHost host = builder.Build())
        {
            await host.StartAsync(Timeouts.Token());
            var monitor = host.Services.GetRequiredService<IOptionsMonitor<PaymentOptions>>();
            Assert.Equal(5, monitor.CurrentValue.Limit);
            Assert.Equal(["a", "b"], monitor.CurrentValue.Hosts);
            var changed = new TaskCompletionSource<PaymentOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
            using IDisposable? listening = monitor.OnChange(p =>
            {
                if (p.Limit == 9)
                {
                    changed.TrySetResult(p);
                }
            });

            await writer.SetDataAsync(root + "/Payments", Utf8("""{"Limit":9,"Hosts":["c"]}"""));
            PaymentOptions updated = await changed.Task.WaitAsync(Timeouts.Event);
            Assert.Equal(["c"], updated.Hosts);
            Assert.Equal(9, monitor.CurrentValue.Limit);
            await host.StopAsync(Timeouts.Token());
        }

        Assert.Equal(ZooKeeperConfigurationState.Disposed, provider.Status.State);
    }

    [Fact]
    public async Task Layering_follows_the_order_of_sources_with_appsettings_and_environment_variables_in_both_orders()
    {
        string root = RuntimeServerFixture.UniquePath("cfglayer");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Everywhere", "zk"), ("/JsonAndZk", "zk"), ("/ZkOnly", "zk"), ("/Section", string.Empty), ("/Section/Key", "zk"));
        const string AppSettings = """{ "Everywhere": "json", "JsonAndZk": "json", "JsonOnly": "json", "Section": { "Key": "json" } }""";
        string prefix = $"ZKCFG_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Everywhere", "env");
        Environment.SetEnvironmentVariable(prefix + "Section__Key", "env");
        try
        {
            // appsettings < ZooKeeper < environment: the usual order, ZooKeeper overriding files but not the environment.
            using var zkOverJson = (ConfigurationRoot)new ConfigurationBuilder()
                .AddJsonStream(new MemoryStream(Utf8(AppSettings)))
                .AddZooKeeper(fixture.Server.ConnectionString, root)
                .AddEnvironmentVariables(prefix)
                .Build();
            Assert.Equal("env", zkOverJson["Everywhere"]);
            Assert.Equal("zk", zkOverJson["JsonAndZk"]);
            Assert.Equal("json", zkOverJson["JsonOnly"]);
            Assert.Equal("env", zkOverJson["Section:Key"]);

            // ZooKeeper < appsettings < environment: ZooKeeper as shared defaults that files may override.
            using var jsonOverZk = (ConfigurationRoot)new ConfigurationBuilder()
                .AddEnvironmentVariables(prefix)
                .AddZooKeeper(fixture.Server.ConnectionString, root)
                .AddJsonStream(new MemoryStream(Utf8(AppSettings)))
                .Build();
            Assert.Equal("json", jsonOverZk["Everywhere"]);
            Assert.Equal("json", jsonOverZk["JsonAndZk"]);
            Assert.Equal("zk", jsonOverZk["ZkOnly"]);

            using var above = new ReloadCounter(zkOverJson);
            using var below = new ReloadCounter(jsonOverZk);
            await writer.SetDataAsync(root + "/JsonAndZk", Utf8("zk2"));
            await writer.SetDataAsync(root + "/ZkOnly", Utf8("zk2"));
            await writer.SetDataAsync(root + "/Everywhere", Utf8("zk2"));
            await above.UntilAsync(() => zkOverJson["JsonAndZk"] == "zk2" && zkOverJson["ZkOnly"] == "zk2", "the change shows where ZooKeeper is above appsettings");
            await below.UntilAsync(() => jsonOverZk["ZkOnly"] == "zk2", "the change shows where nothing overrides it");
            Assert.Equal("env", zkOverJson["Everywhere"]);
            Assert.Equal("json", jsonOverZk["JsonAndZk"]);
            Assert.Equal("json", jsonOverZk["Everywhere"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Everywhere", null);
            Environment.SetEnvironmentVariable(prefix + "Section__Key", null);
        }
    }

    [Fact]
    public async Task Settings_bound_from_a_configuration_section_with_credentials_read_a_protected_subtree()
    {
        string root = RuntimeServerFixture.UniquePath("cfgauth");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await writer.AddDigestAuthAsync("cfg", "s3cret");
        IReadOnlyList<Acl> onlyCfg = [Acl.Digest("cfg", "s3cret", Permissions.All)];
        await writer.CreateAsync(root, acl: onlyCfg);
        await writer.CreateAsync(root + "/Secret", Utf8("42"), acl: onlyCfg);
        var settings = new Dictionary<string, string?>
        {
            ["ZooKeeperConfiguration:ConnectionString"] = fixture.Server.ConnectionString,
            ["ZooKeeperConfiguration:Subtrees:0:Path"] = root,
            ["ZooKeeperConfiguration:Subtrees:0:KeyPrefix"] = "Protected",
            ["ZooKeeperConfiguration:StartupTimeout"] = "00:00:05",
            ["ZooKeeperConfiguration:SessionLossPolicy"] = "ServeStaleAndRebuild",
        };
        IConfiguration withoutCredentials = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var refused = Assert.Throws<ZooKeeperConfigurationException>(() => new ConfigurationBuilder().AddZooKeeper(withoutCredentials.GetSection("ZooKeeperConfiguration")).Build());
        Assert.Equal(ZooKeeperConfigurationFailure.Refused, refused.Failure);
        Assert.IsType<NoAuthException>(refused.InnerException);

        settings["ZooKeeperConfiguration:Credentials:0:Scheme"] = "digest";
        settings["ZooKeeperConfiguration:Credentials:0:User"] = "cfg";
        settings["ZooKeeperConfiguration:Credentials:0:Password"] = "s3cret";
        IConfiguration bootstrap = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = new ConfigurationBuilder().AddZooKeeper(bootstrap.GetSection("ZooKeeperConfiguration"));
        ZooKeeperConfigurationSource source = Assert.IsType<ZooKeeperConfigurationSource>(Assert.Single(builder.Sources));
        Assert.Equal(SessionLossPolicy.ServeStaleAndRebuild, source.Options.SessionLossPolicy);
        Assert.Equal(TimeSpan.FromSeconds(5), source.Options.StartupTimeout);
        using var config = (ConfigurationRoot)builder.Build();
        Assert.Equal("42", config["Protected:Secret"]);
    }

    [Fact]
    public async Task An_ASP_NET_Core_endpoint_serves_a_bound_option_that_changes_live()
    {
        string root = RuntimeServerFixture.UniquePath("cfgweb");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Greeting", string.Empty), ("/Greeting/Text", "hello"));
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddZooKeeper(fixture.Server.ConnectionString, root);
        builder.Services.Configure<GreetingOptions>(builder.Configuration.GetSection("Greeting"));
        await using WebApplication app = builder.Build();
        app.MapGet("/greeting", (IOptionsMonitor<GreetingOptions> greeting) => Results.Ok(greeting.CurrentValue));
        app.MapGet("/greeting/snapshot", (IOptionsSnapshot<GreetingOptions> greeting) => greeting.Value.Text);
        await app.StartAsync(Timeouts.Token());
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal("hello", (await http.GetFromJsonAsync<GreetingOptions>("/greeting", Timeouts.Token()))!.Text);

        var monitor = app.Services.GetRequiredService<IOptionsMonitor<GreetingOptions>>();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable? listening = monitor.OnChange(g =>
        {
            if (g.Text == "hi there")
            {
                changed.TrySetResult();
            }
        });
        await writer.SetDataAsync(root + "/Greeting/Text", Utf8("hi there"));
        await changed.Task.WaitAsync(Timeouts.Event);

        Assert.Equal("hi there", (await http.GetFromJsonAsync<GreetingOptions>("/greeting", Timeouts.Token()))!.Text);
        Assert.Equal("hi there", await http.GetStringAsync("/greeting/snapshot", Timeouts.Token()));
        await app.StopAsync(Timeouts.Token());
    }

    public sealed class PaymentOptions
    {
        public int Limit { get; set; }

        public List<string> Hosts { get; set; } = [];
    }

    public sealed class GreetingOptions
    {
        public string Text { get; set; } = "default";
    }
}
