using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Packaging.Tests;

/// <summary>
/// Issue 12, "Why" 1: a fresh app from the local feed, published with <c>PublishAot=true</c>, reads real values from a
/// real ZooKeeper server (init-only defaults kept, names matched case-insensitively, validated), and the same app
/// without a JsonSerializerContext gets ZKTS014 as a warning when it builds for AOT.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed partial class AotPublishTests(LocalFeed feed, ITestOutputHelper output)
{
    private const string Types = """
        namespace App
        {
            /// <summary>Limits.</summary>
            [ZNode("/aot/limits")]
            public partial record Limits
            {
                /// <summary>Limit.</summary>
                [System.ComponentModel.DataAnnotations.Range(1, 10)]
                public int Limit { get; init; } = 1;

                /// <summary>Currency.</summary>
                public string Currency { get; init; } = "EUR";

                /// <summary>Workers.</summary>
                public int Workers { get; set; } = 2;

                /// <summary>Tier.</summary>
                public Tier Tier { get; init; } = new();
            }

            /// <summary>A nested value with init-only defaults.</summary>
            public sealed record Tier
            {
                /// <summary>Name.</summary>
                public string Name { get; init; } = "basic";

                /// <summary>Max.</summary>
                public int Max { get; init; } = 3;
            }
        """;

    private const string Context = """

            /// <summary>Reflection-free JSON.</summary>
            [JsonSerializable(typeof(Limits))]
            internal sealed partial class AppJson : JsonSerializerContext;
        """;

    private const string Program = """
        using System.Text.Json.Serialization;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using ZkTypedState;

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Settings bound from configuration (generated binding code, credentials included), then adjusted in code.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ZooKeeper:SessionTimeout"] = "00:00:07",
            ["ZooKeeper:Credentials:0:Scheme"] = "digest",
            ["ZooKeeper:Credentials:0:User"] = "aot",
            ["ZooKeeper:Credentials:0:Password"] = "aot-pw",
        });
        // Continue: the context-less variant must start to show what it serves (a faulted node may fail startup otherwise).
        builder.Services.AddZkTypedState(builder.Configuration.GetSection("ZooKeeper"), o =>
        {
            o.ConnectionString = args[0];
            o.InitialSyncFailure = InitialSyncFailureBehavior.Continue;
        }).AddGeneratedZNodes();
        using IHost host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        IZNode<App.Limits> node = host.Services.GetRequiredService<IZNode<App.Limits>>();
        await node.WaitForLoadedAsync(timeout.Token);
        Console.WriteLine($"status={node.Status} limit={node.Value.Limit} currency={node.Value.Currency} workers={node.Value.Workers} tier={node.Value.Tier.Name}/{node.Value.Tier.Max} error={node.Current.Error?.Message}");
        ZkTypedStateOptions bound = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ZkTypedStateOptions>>().Value;
        Console.WriteLine($"bound: timeout={bound.SessionTimeout} credentials={string.Join(",", bound.Credentials)} acl={bound.ResolveDefaultAcl()[0].Id.Scheme}");
        await host.StopAsync(timeout.Token);

        """;

    [Fact]
    public async Task A_native_AOT_app_from_the_local_feed_reads_real_values_from_a_real_server()
    {
        string app = await feed.CreateAppAsync("aot", Project(aot: true, treatWarningsAsErrors: true), Program + Types + Context + "}\n");
        string binary = await PublishAsync(app);

        await using ZooKeeperTestServer server = await StartServerWithLimitsAsync();
        string run = await LocalFeed.RunAsync(binary, server.ConnectionString, app, TimeSpan.FromMinutes(1));
        output.WriteLine(run);
        Assert.Contains("status=Fresh limit=5 currency=EUR workers=3 tier=basic/4 error=", run, StringComparison.Ordinal);
        Assert.Contains("bound: timeout=00:00:07 credentials=digest credential for user 'aot' acl=auth", run, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_context_a_native_AOT_app_reports_ZKTS014_at_build_and_faults_instead_of_serving_defaults()
    {
        string app = await feed.CreateAppAsync("aot-no-context", Project(aot: true, treatWarningsAsErrors: false), Program + Types + "}\n");
        string build = await LocalFeed.RunAsync("dotnet", $"build -c Release --packages \"{feed.PackagesFolder}\"", app, TimeSpan.FromMinutes(5));
        output.WriteLine(build);
        Assert.Matches(new Regex(@"Program\.cs\(\d+,\d+\): warning ZKTS014: 'App\.Limits' is serialized with reflection"), build);

        string binary = await PublishAsync(app, expectTrimWarnings: true);
        await using ZooKeeperTestServer server = await StartServerWithLimitsAsync();
        string run = await LocalFeed.RunAsync(binary, server.ConnectionString, app, TimeSpan.FromMinutes(1));
        output.WriteLine(run);
        Assert.Contains("status=Faulted limit=1 currency=EUR", run, StringComparison.Ordinal);
        Assert.Contains("add [JsonSerializable(typeof(Limits))]", run, StringComparison.Ordinal);
    }

    private async Task<string> PublishAsync(string app, bool expectTrimWarnings = false)
    {
        string publish = await LocalFeed.RunAsync(
            "dotnet",
            $"publish -c Release -r linux-x64 --packages \"{feed.PackagesFolder}\" -o out",
            app,
            TimeSpan.FromMinutes(8));
        output.WriteLine(publish);
        if (expectTrimWarnings)
        {
            // The reflection fallback in generated code is what the trimmer warns about (IL2026/IL3050).
            Assert.Matches(TrimOrAotWarning(), publish);
        }
        else
        {
            Assert.DoesNotMatch(TrimOrAotWarning(), publish);
        }

        string binary = Path.Combine(app, "out", "App");
        Assert.True(File.Exists(binary), $"No native binary at {binary}.");
        Assert.False(File.Exists(Path.Combine(app, "out", "App.dll")), "The publish output has an IL assembly: it is not a native AOT build.");
        return binary;
    }

    private static async Task<ZooKeeperTestServer> StartServerWithLimitsAsync()
    {
        ZooKeeperTestServer server = await ZooKeeperTestServer.StartAsync();
        try
        {
            await using ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = server.ConnectionString }, Token());
            await writer.CreateAsync("/aot", cancellationToken: Token());
            // Lower-case names, Currency and Tier.Name omitted: their initializers must survive under the context, in native code.
            await writer.CreateAsync("/aot/limits", Encoding.UTF8.GetBytes("""{"limit":5,"workers":3,"tier":{"max":4}}"""), cancellationToken: Token());
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string Project(bool aot, bool treatWarningsAsErrors) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <AssemblyName>App</AssemblyName>
            <PublishAot>{(aot ? "true" : "false")}</PublishAot>
            <InvariantGlobalization>true</InvariantGlobalization>
            <TreatWarningsAsErrors>{(treatWarningsAsErrors ? "true" : "false")}</TreatWarningsAsErrors>
            <GenerateDocumentationFile>true</GenerateDocumentationFile>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="ZkTypedState" Version="{feed.Version}" />
            <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
          </ItemGroup>
        </Project>
        """;

    private static CancellationToken Token() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [GeneratedRegex(@"warning IL[23]\d{3}")]
    private static partial Regex TrimOrAotWarning();
}
