using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// Runs the trimming/AOT analyzers (ILLink's Roslyn analyzer, as enabled by IsAotCompatible or PublishAot) over input
/// plus generated code: reflection-free paths stay silent, and the reflection fallback is reported honestly.
/// </summary>
public class TrimAnalysisTests
{
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(LoadAnalyzers);

    [Fact]
    public void JsonContextAndValidation_AreTrimAndAotClean()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using System.ComponentModel.DataAnnotations;
            using System.Text.Json.Serialization;
            using ZkTypedState;

            namespace Contoso;

            /// <summary>Limits.</summary>
            [ZNode("/config/tenants/{tenant}/limits")]
            public partial record Limits
            {
                /// <summary>At most.</summary>
                [Range(1, 100)]
                public int Max { get; init; } = 10;

                /// <summary>Name.</summary>
                [Required, StringLength(10)]
                public string Name { get; init; } = "n";
            }

            /// <summary>JSON.</summary>
            [JsonSerializable(typeof(Limits))]
            internal partial class LimitsJson : JsonSerializerContext
            {
            }
            """,
            withJsonGenerator: true);
        run.AssertCompilesCleanly();

        Assert.Empty(Analyze(run));
    }

    [Fact]
    public void ReflectionFallback_WarnsOnlyWhereTrimAnalysisIsOn_AndAtTheGeneratedInitializer()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ZkTypedState;

            namespace Contoso;

            /// <summary>Flags.</summary>
            [ZNode("/config/features")]
            public partial class Features
            {
                /// <summary>A flag.</summary>
                public bool NewCheckout { get; set; }
            }
            """);

        // A normal build (no trim analyzer): clean.
        run.AssertCompilesCleanly();

        // A trimmed or AOT build: told exactly where reflection is used.
        Diagnostic[] warnings = Analyze(run);
        Assert.Equal(["IL2026", "IL3050"], warnings.Select(d => d.Id).Order());
        Assert.All(warnings, w => Assert.Equal("Contoso.Features.ZNode.g.cs", Path.GetFileName(w.Location.SourceTree!.FilePath)));
        Assert.All(warnings, w => Assert.Contains("DefaultJsonTypeInfoResolver", w.GetMessage(), StringComparison.Ordinal));
    }

    private static Diagnostic[] Analyze(GeneratorRun run)
    {
        var options = new AnalyzerOptions([], new OptionsProvider(new Dictionary<string, string>
        {
            ["build_property.EnableTrimAnalyzer"] = "true",
            ["build_property.EnableAotAnalyzer"] = "true",
            ["build_property.EnableSingleFileAnalyzer"] = "true",
        }));
        return [.. run.Output.WithAnalyzers(Analyzers.Value, options)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)];
    }

    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers()
    {
        string root = typeof(TrimAnalysisTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string package = Path.Combine(root, "microsoft.net.illink.tasks");
        string version = Directory.GetDirectories(package)
            .Select(Path.GetFileName)
            .Where(v => v!.StartsWith($"{Environment.Version.Major}.", StringComparison.Ordinal))
            .OrderByDescending(v => Version.TryParse(v!.Split('-')[0], out Version? parsed) ? parsed : new Version())
            .First()!;
        Assembly assembly = Assembly.LoadFrom(Path.Combine(package, version, "analyzers", "dotnet", "cs", "ILLink.RoslynAnalyzer.dll"));
        return [.. assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];
    }

    private sealed class OptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _options = new(values);

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
                => values.TryGetValue(key, out value);
        }
    }
}
