using System.IO.Compression;
using Xunit.Abstractions;

namespace ZkTypedState.Packaging.Tests;

/// <summary>
/// Packs the libraries as a user gets them and builds a fresh project against the packages from a local folder
/// feed: proves the generator ships as an analyzer inside ZkTypedState and that a [ZNode] type just works.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed class PackageTests(LocalFeed feed, ITestOutputHelper output)
{
    [Fact]
    public async Task A_fresh_project_restoring_the_packed_ZkTypedState_gets_the_generator_and_builds()
    {
        Assert.Single(Directory.GetFiles(feed.Feed, "ZkTypedState.Client.0.*.nupkg"));
        Assert.Single(Directory.GetFiles(feed.Feed, "ZkTypedState.Testing.0.*.nupkg"));
        Assert.Single(Directory.GetFiles(feed.Feed, "ZkTypedState.Recipes.0.*.nupkg"));
        Assert.NotEmpty(Directory.GetFiles(feed.Feed, "*.snupkg"));
        using (ZipArchive zip = ZipFile.OpenRead(feed.RuntimePackage))
        {
            string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/ZkTypedState.Generator.dll", entries);
            Assert.Contains("lib/net10.0/ZkTypedState.dll", entries);
            Assert.Contains(entries, e => e.Equals("README.md", StringComparison.OrdinalIgnoreCase));
            // The trimming/AOT properties reach the generator (ZKTS014 as a warning) for direct and transitive references.
            Assert.Contains("build/ZkTypedState.props", entries);
            Assert.Contains("buildTransitive/ZkTypedState.props", entries);
        }

        string app = await feed.CreateAppAsync("app", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ZkTypedState" Version="{feed.Version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """, """
            using System.Text.Json.Serialization;
            using Microsoft.Extensions.DependencyInjection;
            using ZkTypedState;

            var services = new ServiceCollection();
            services.AddZkTypedState(o => o.ConnectionString = "127.0.0.1:2181").AddGeneratedZNodes();
            Console.WriteLine(App.Limits.ZNode.PathTemplate);

            namespace App
            {
                /// <summary>Limits.</summary>
                [ZNode("/packaging/limits")]
                public partial record Limits
                {
                    /// <summary>Max.</summary>
                    public int Max { get; init; } = 5;
                }

                /// <summary>JSON.</summary>
                [JsonSerializable(typeof(Limits))]
                internal sealed partial class AppJson : JsonSerializerContext;
            }
            """);

        output.WriteLine(await LocalFeed.RunAsync("dotnet", $"build -c Release --packages \"{feed.PackagesFolder}\"", app, TimeSpan.FromMinutes(5)));
        string run = await LocalFeed.RunAsync("dotnet", "run -c Release --no-build", app, TimeSpan.FromMinutes(2));
        output.WriteLine(run);
        Assert.Contains("/packaging/limits", run);
    }
}
