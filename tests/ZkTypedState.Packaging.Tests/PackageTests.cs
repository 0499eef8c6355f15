using System.Diagnostics;
using System.IO.Compression;
using Xunit.Abstractions;

namespace ZkTypedState.Packaging.Tests;

/// <summary>
/// Packs the libraries as a user gets them and builds a fresh project against the packages from a local folder
/// feed: proves the generator ships as an analyzer inside ZkTypedState and that a [ZNode] type just works.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public async Task A_fresh_project_restoring_the_packed_ZkTypedState_gets_the_generator_and_builds()
    {
        string work = Directory.CreateTempSubdirectory("zkts-pack-").FullName;
        try
        {
            string feed = Path.Combine(work, "feed");
            foreach (string project in new[] { "src/Client/ZkTypedState.Client.csproj", "src/Runtime/ZkTypedState.csproj", "src/Testing/ZkTypedState.Testing.csproj" })
            {
                await RunAsync("dotnet", $"pack \"{Path.Combine(RepoRoot, project)}\" -c Release -o \"{feed}\" -p:ContinuousIntegrationBuild=true", RepoRoot);
            }

            string runtimePackage = Assert.Single(Directory.GetFiles(feed, "ZkTypedState.0.*.nupkg"));
            Assert.Single(Directory.GetFiles(feed, "ZkTypedState.Client.0.*.nupkg"));
            Assert.Single(Directory.GetFiles(feed, "ZkTypedState.Testing.0.*.nupkg"));
            Assert.NotEmpty(Directory.GetFiles(feed, "*.snupkg"));
            using (ZipArchive zip = ZipFile.OpenRead(runtimePackage))
            {
                string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/ZkTypedState.Generator.dll", entries);
                Assert.Contains("lib/net10.0/ZkTypedState.dll", entries);
                Assert.Contains(entries, e => e.Equals("README.md", StringComparison.OrdinalIgnoreCase));
            }

            string app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            string version = Path.GetFileNameWithoutExtension(runtimePackage)["ZkTypedState.".Length..];
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
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
                    <PackageReference Include="ZkTypedState" Version="{version}" />
                    <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
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

            // A private packages folder: a cached older build of the same version must not be picked up.
            await RunAsync("dotnet", $"build -c Release --packages \"{Path.Combine(work, "packages")}\"", app);
            string output = await RunAsync("dotnet", "run -c Release --no-build", app);
            Assert.Contains("/packaging/limits", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> RunAsync(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        string text = await stdout + await stderr;
        output.WriteLine($"$ {file} {arguments}\n{text}");
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    private static string FindRepoRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "ZkTypedState.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("ZkTypedState.sln not found above the test's directory.");
    }
}
