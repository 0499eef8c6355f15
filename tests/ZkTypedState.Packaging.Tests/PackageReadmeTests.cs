using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace ZkTypedState.Packaging.Tests;

/// <summary>
/// What a team sees on the package page and in the debugger: each package carries its own README (install line,
/// minimal example, absolute links only), the repository URL and commit, and PDBs whose source links point at the
/// public repository; the README's minimal example compiles against the packed packages.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed partial class PackageReadmeTests(LocalFeed feed, ITestOutputHelper output)
{
    public static TheoryData<string, string> Packages => new()
    {
        { "ZkTypedState", "src/Runtime" },
        { "ZkTypedState.Client", "src/Client" },
        { "ZkTypedState.Recipes", "src/Recipes" },
        { "ZkTypedState.Testing", "src/Testing" },
    };

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_ships_its_own_readme_with_install_line_and_absolute_links(string id, string folder)
    {
        using ZipArchive zip = ZipFile.OpenRead(feed.Package(id));
        string shipped = Read(zip, "README.md");
        Assert.Equal(File.ReadAllText(Path.Combine(LocalFeed.RepoRoot, folder, "README.md")), shipped);
        Assert.StartsWith($"# {id}\n", shipped);
        Assert.Contains($"dotnet add package {id}\n", shipped);
        Assert.Contains("```csharp", shipped);
        // Relative links and build-script steps only make sense inside the repository.
        Assert.Empty(RelativeLink().Matches(shipped).Select(m => m.Value));
        Assert.DoesNotContain("build.sh", shipped);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_names_the_repository_and_commit_and_its_pdb_links_to_the_public_sources(string id, string folder)
    {
        _ = folder;
        string nuspec;
        using (ZipArchive zip = ZipFile.OpenRead(feed.Package(id)))
        {
            nuspec = Read(zip, $"{id}.nuspec");
        }

        XNamespace ns = XDocument.Parse(nuspec).Root!.Name.Namespace;
        XElement repository = XDocument.Parse(nuspec).Root!.Element(ns + "metadata")!.Element(ns + "repository")!;
        Assert.Equal("https://github.com/zktypedstate/zktypedstate", (string?)repository.Attribute("url"));
        string commit = (string?)repository.Attribute("commit") ?? string.Empty;
        Assert.Matches("^[0-9a-f]{40}$", commit);

        using ZipArchive symbols = ZipFile.OpenRead(Path.ChangeExtension(feed.Package(id), ".snupkg"));
        ZipArchiveEntry pdb = Assert.Single(symbols.Entries, e => e.FullName == $"lib/net10.0/{id}.pdb");
        using var memory = new MemoryStream();
        using (Stream stream = pdb.Open())
        {
            stream.CopyTo(memory);
        }

        // The portable PDB's SourceLink blob is plain UTF-8 JSON mapping local paths to raw URLs at the commit.
        Assert.Contains($"https://raw.githubusercontent.com/zktypedstate/zktypedstate/{commit}/", Encoding.UTF8.GetString(memory.ToArray()));
    }

    [Theory]
    [InlineData("ZkTypedState", "src/Runtime", "Exe", "<PackageReference Include=\"Microsoft.Extensions.Hosting\" Version=\"10.0.0\" />")]
    [InlineData("ZkTypedState.Client", "src/Client", "Exe", "")]
    [InlineData("ZkTypedState.Recipes", "src/Recipes", "Exe", "<PackageReference Include=\"Microsoft.Extensions.Hosting\" Version=\"10.0.0\" />")]
    [InlineData("ZkTypedState.Testing", "src/Testing", "Library", "<PackageReference Include=\"xunit\" Version=\"2.9.3\" />")]
    public async Task The_readme_minimal_example_compiles_against_the_package(string id, string folder, string outputType, string extraReference)
    {
        string readme = File.ReadAllText(Path.Combine(LocalFeed.RepoRoot, folder, "README.md"));
        Match example = MinimalExample().Match(readme);
        Assert.True(example.Success, $"{folder}/README.md has no ```csharp block under '## Minimal example'.");

        string app = await feed.CreateAppAsync("readme-" + id.ToLowerInvariant(), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{id}" Version="{feed.Version}" />
                {extraReference}
              </ItemGroup>
            </Project>
            """, example.Groups["code"].Value);
        output.WriteLine(await LocalFeed.RunAsync("dotnet", $"build -c Release --packages \"{feed.PackagesFolder}\"", app, TimeSpan.FromMinutes(5)));
    }

    private static string Read(ZipArchive zip, string name)
    {
        ZipArchiveEntry entry = zip.Entries.Single(e => e.FullName.Equals(name, StringComparison.OrdinalIgnoreCase));
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\]\((?!https?://|#)[^)]*\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"## Minimal example[^\n]*\n(?:[^`]|`(?!``))*```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex MinimalExample();
}
