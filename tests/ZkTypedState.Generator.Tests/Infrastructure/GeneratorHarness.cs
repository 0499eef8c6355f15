using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator;

namespace ZkTypedState.Generator.Tests.Infrastructure;

/// <summary>
/// Drives the generator in-process: builds a compilation of test sources against the .NET reference pack, the runtime
/// (ZkTypedState.dll) and its Microsoft.Extensions dependencies; runs <see cref="ZNodeGenerator"/> (optionally with the
/// System.Text.Json generator from the SDK's reference pack); checks and loads the result.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Latest language version, with documentation comments checked (so CS1591 and friends are reported).</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<(ImmutableArray<MetadataReference> References, string? AnalyzersDirectory)> Platform = new(LoadPlatform);

    private static readonly Lazy<ISourceGenerator> JsonGenerator = new(LoadJsonGenerator);

    /// <summary>Creates a compilation; source <c>i</c> gets the file path <c>Input{i}.cs</c>.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "GeneratorTestInput",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs", encoding: Encoding.UTF8)),
            Platform.Value.References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));

    /// <summary>A driver over our generator (and STJ's when asked), tracking steps.</summary>
    public static GeneratorDriver CreateDriver(ZNodeGenerator? generator = null, bool withJsonGenerator = false, IReadOnlyDictionary<string, string>? globalOptions = null)
    {
        var generators = new List<ISourceGenerator> { (generator ?? new ZNodeGenerator()).AsSourceGenerator() };
        if (withJsonGenerator)
        {
            generators.Add(JsonGenerator.Value);
        }

        return CSharpGeneratorDriver.Create(
            generators,
            parseOptions: ParseOptions,
            optionsProvider: globalOptions is null ? null : new TestAnalyzerConfigOptionsProvider(globalOptions),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator(s) over <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(string[] sources, ZNodeGenerator? generator = null, bool withJsonGenerator = false, IReadOnlyDictionary<string, string>? globalOptions = null)
    {
        CSharpCompilation input = CreateCompilation(sources);
        GeneratorDriver driver = CreateDriver(generator, withJsonGenerator, globalOptions).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new GeneratorRun(input, driver, driver.GetRunResult(), output);
    }

    /// <summary>Runs the generator(s) over one source.</summary>
    public static GeneratorRun Run(string source, ZNodeGenerator? generator = null, bool withJsonGenerator = false)
        => Run([source], generator, withJsonGenerator);

    private static ISourceGenerator LoadJsonGenerator()
    {
        string directory = Platform.Value.AnalyzersDirectory
            ?? throw new InvalidOperationException("The .NET reference pack's analyzers folder (with System.Text.Json.SourceGeneration.dll) was not found.");
        Assembly assembly = Assembly.LoadFrom(Path.Combine(directory, "System.Text.Json.SourceGeneration.dll"));
        Type type = assembly.GetTypes().Single(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t));
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    }

    /// <summary>
    /// The reference pack matching the running runtime (ref/net10.0/*.dll, found next to the shared framework), the
    /// runtime assemblies and the Microsoft.Extensions assemblies copied next to the tests.
    /// </summary>
    private static (ImmutableArray<MetadataReference>, string?) LoadPlatform()
    {
        var paths = new List<string>();
        string? analyzers = null;
        string sharedFramework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(sharedFramework, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string? pack = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Where(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out Version? v) && v.Major == Environment.Version.Major)
                .OrderByDescending(d => Version.Parse(Path.GetFileName(d).Split('-')[0]))
                .FirstOrDefault()
            : null;
        string refDirectory = pack is null ? string.Empty : Path.Combine(pack, "ref", $"net{Environment.Version.Major}.0");
        if (Directory.Exists(refDirectory))
        {
            paths.AddRange(Directory.GetFiles(refDirectory, "*.dll"));
            string candidate = Path.Combine(pack!, "analyzers", "dotnet", "cs");
            analyzers = Directory.Exists(candidate) ? candidate : null;
        }
        else
        {
            // No reference pack: fall back to the implementation assemblies the test runs on.
            paths.AddRange(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll"));
        }

        string runtime = typeof(ZNodeDescriptor<>).Assembly.Location;
        paths.Add(runtime);
        string binDirectory = Path.GetDirectoryName(runtime)!;
        paths.AddRange(Directory.GetFiles(binDirectory, "ZkTypedState.Client.dll"));
        paths.AddRange(Directory.GetFiles(binDirectory, "Microsoft.Extensions.*.dll"));
        return ([.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))], analyzers);
    }
}

/// <summary>One generator run: input and output compilations, the driver (to run again) and its result.</summary>
internal sealed record GeneratorRun(CSharpCompilation Input, GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output)
{
    /// <summary>Our generator's result (always the first generator).</summary>
    public GeneratorRunResult ZNode => Result.Results[0];

    /// <summary>Diagnostics our generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => ZNode.Diagnostics;

    /// <summary>Our generated files, ordered by hint name, rendered for snapshots (version replaced by %VERSION%).</summary>
    public string RenderSources()
    {
        var builder = new StringBuilder();
        foreach (GeneratedSourceResult source in ZNode.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            builder.Append("//// ").Append(source.HintName).Append('\n');
            builder.Append(source.SourceText.ToString().Replace(ZNodeGenerator.Emitter.Version, "%VERSION%", StringComparison.Ordinal));
            builder.Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Asserts that no generator failed, that our generator reported nothing above Info, and that input plus generated
    /// code compiles without errors or warnings (nullable, documentation and all warning waves included).
    /// </summary>
    public void AssertCompilesCleanly()
    {
        Assert.All(Result.Results, r => Assert.Null(r.Exception));
        Diagnostic[] reported = Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Info).ToArray();
        Assert.True(reported.Length == 0, "The generator reported:\n" + string.Join("\n", reported.Select(d => d.ToString())));
        Diagnostic[] problems = Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, "Generated code does not compile cleanly:\n" + string.Join("\n", problems.Select(p => p.ToString())) + "\n\n" + RenderSources());
    }

    /// <summary>Emits the output compilation and loads it into a collectible load context.</summary>
    public Assembly Load()
    {
        using var stream = new MemoryStream();
        var emitted = Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        stream.Position = 0;
        return new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }
}
