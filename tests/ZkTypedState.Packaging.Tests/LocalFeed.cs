using System.Diagnostics;
using System.Text;

namespace ZkTypedState.Packaging.Tests;

/// <summary>
/// The libraries packed once into a local folder feed, shared by the packaging tests (packing is the slow part), plus
/// helpers to write a fresh app against it and run the dotnet CLI with a bounded time.
/// </summary>
public sealed class LocalFeed : IAsyncLifetime
{
    private readonly StringBuilder _log = new();

    /// <summary>The repository root (where ZkTypedState.sln is).</summary>
    public static readonly string RepoRoot = FindRepoRoot();

    /// <summary>A temporary folder for the feed, the apps and their private package folder.</summary>
    public string Work { get; } = Directory.CreateTempSubdirectory("zkts-pack-").FullName;

    /// <summary>The folder feed holding the packed .nupkg files.</summary>
    public string Feed => Path.Combine(Work, "feed");

    /// <summary>The version of the packed ZkTypedState package.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>The ZkTypedState package file.</summary>
    public string RuntimePackage { get; private set; } = string.Empty;

    /// <summary>The packed package of <paramref name="id"/> (e.g. "ZkTypedState.Recipes").</summary>
    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>What packing printed (for a failing test's output).</summary>
    public string PackLog => _log.ToString();

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        foreach (string project in new[] { "src/Client/ZkTypedState.Client.csproj", "src/Runtime/ZkTypedState.csproj", "src/Recipes/ZkTypedState.Recipes.csproj", "src/Testing/ZkTypedState.Testing.csproj" })
        {
            _log.Append(await RunAsync("dotnet", $"pack \"{Path.Combine(RepoRoot, project)}\" -c Release -o \"{Feed}\" -p:ContinuousIntegrationBuild=true", RepoRoot, TimeSpan.FromMinutes(5)));
        }

        RuntimePackage = Directory.GetFiles(Feed, "ZkTypedState.0.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(RuntimePackage)["ZkTypedState.".Length..];
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Directory.Delete(Work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Creates <c>Work/name</c> with a nuget.config pointing at the feed, and the given project and program.</summary>
    public async Task<string> CreateAppAsync(string name, string project, string program)
    {
        string app = Path.Combine(Work, name);
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), project);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        return app;
    }

    /// <summary>
    /// A private packages folder for the apps: a cached older build of the same version must not be picked up, while
    /// the apps share what they restore from the registry.
    /// </summary>
    public string PackagesFolder => Path.Combine(Work, "packages");

    /// <summary>Runs a process to completion within <paramref name="timeout"/>; returns stdout+stderr, failing on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string file, string arguments, string workingDirectory, TimeSpan timeout, bool allowFailure = false)
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
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout.TotalSeconds:0} s.");
        }

        string text = $"$ {file} {arguments}\n" + await stdout + await stderr;
        Assert.True(allowFailure || process.ExitCode == 0, $"{file} {arguments} exited with {process.ExitCode}:\n{text}");
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

/// <summary>The packaging tests share one packed feed and run one after another (each builds a whole app).</summary>
[CollectionDefinition(Name)]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeed>
{
    public const string Name = "local-feed";
}
