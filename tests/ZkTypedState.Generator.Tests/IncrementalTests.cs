using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator.Model;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// The pipeline carries only value-equatable models, so edits that do not change a [ZNode] type leave its steps cached
/// and nothing is emitted again (step tracking plus the generator's OnSourceEmitting hook).
/// </summary>
public class IncrementalTests
{
    private const string Limits = """
        using System.ComponentModel.DataAnnotations;
        using ZkTypedState;

        namespace Contoso;

        /// <summary>Limits.</summary>
        [ZNode("/config/tenants/{tenant}/limits")]
        public partial record Limits
        {
            /// <summary>At most.</summary>
            [Range(1, 100)]
            public int Max { get; init; } = 10;
        }
        """;

    private const string Features = """
        using ZkTypedState;

        namespace Contoso;

        /// <summary>Flags.</summary>
        [ZNode("/config/features")]
        public partial class Features
        {
            /// <summary>A flag.</summary>
            public bool NewCheckout { get; set; }
        }
        """;

    private static readonly string[] CachedStepNames =
    [
        ZNodeGenerator.TrackingNames.Spec,
        ZNodeGenerator.TrackingNames.Model,
        ZNodeGenerator.TrackingNames.Registration,
        ZNodeGenerator.TrackingNames.JsonIndex,
    ];

    [Fact]
    public void CompilingTheSameSourceResultsInEqualModels()
    {
        List<ZNodeModel> first = [];
        List<ZNodeModel> second = [];
        GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = first.Add });
        GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = second.Add });

        Assert.Equal(2, first.Count);
        first.Sort((a, b) => string.CompareOrdinal(a.Spec.FullyQualifiedName, b.Spec.FullyQualifiedName));
        second.Sort((a, b) => string.CompareOrdinal(a.Spec.FullyQualifiedName, b.Spec.FullyQualifiedName));
        for (int i = 0; i < first.Count; i++)
        {
            Assert.NotSame(first[i], second[i]);
            Assert.Equal(first[i], second[i]);
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
        }
    }

    [Fact]
    public void ParseResultsOfTheSameSourceAreEqual()
    {
        GeneratorRun a = GeneratorHarness.Run([Limits, Features]);
        GeneratorRun b = GeneratorHarness.Run([Limits, Features]);
        object[] left = StepValues(a, ZNodeGenerator.TrackingNames.Parse);
        object[] right = StepValues(b, ZNodeGenerator.TrackingNames.Parse);
        Assert.Equal(2, left.Length);
        Assert.Equal(left, right);
        Assert.Equal(left.Select(v => v.GetHashCode()), right.Select(v => v.GetHashCode()));
    }

    [Fact]
    public void UnrelatedFile_LeavesEveryStepCachedAndEmitsNothing()
    {
        int emitted = 0;
        GeneratorRun run = GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = _ => emitted++ });
        Assert.Equal(2, emitted);

        Compilation edited = run.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Contoso; /// <summary>Unrelated.</summary>\npublic sealed class Unrelated { }",
            GeneratorHarness.ParseOptions,
            path: "Unrelated.cs"));
        GeneratorDriverRunResult result = run.Driver.RunGenerators(edited).GetRunResult();

        Assert.Equal(2, emitted);

        // The transform re-runs against the new compilation (it needs symbols) but yields equal values.
        AssertAllOutputs(result, ZNodeGenerator.TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        foreach (string step in CachedStepNames)
        {
            AssertAllOutputs(result, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }

        Assert.Equal(3, result.Results[0].GeneratedSources.Length);
    }

    [Fact]
    public void CommentAboveTheType_MovesLocationsButLeavesTheModelUnchanged()
    {
        int emitted = 0;
        GeneratorRun run = GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = _ => emitted++ });
        SyntaxTree old = run.Input.SyntaxTrees.First();
        SyntaxTree edited = old.WithChangedText(old.GetText().Replace(0, 0, "// A comment that moves every line down.\n"));
        GeneratorDriverRunResult result = run.Driver.RunGenerators(run.Input.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Assert.Equal(2, emitted);
        Assert.Contains(Outputs(result, ZNodeGenerator.TrackingNames.Parse), o => o.Reason == IncrementalStepRunReason.Modified);
        foreach (string step in CachedStepNames)
        {
            AssertAllOutputs(result, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }

        // Diagnostics follow the move: the ZKTS014 info for Limits is now one line lower.
        Diagnostic info = Assert.Single(result.Results[0].Diagnostics, d => d.Location.SourceTree == edited);
        Assert.Equal(7, info.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void ChangingOnePath_ReEmitsOnlyThatType()
    {
        List<string> emitted = [];
        GeneratorRun run = GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = m => emitted.Add(m.Spec.PathTemplate) });
        emitted.Clear();

        SyntaxTree old = run.Input.SyntaxTrees.Last();
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Features.Replace("/config/features", "/config/flags"), GeneratorHarness.ParseOptions, path: old.FilePath);
        GeneratorDriverRunResult result = run.Driver.RunGenerators(run.Input.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Assert.Equal(["/config/flags"], emitted);
        AssertAllOutputs(result, ZNodeGenerator.TrackingNames.Registration, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void AddingAJsonSerializerContext_SwitchesThatTypeToIt()
    {
        List<ZNodeModel> emitted = [];
        GeneratorRun run = GeneratorHarness.Run([Limits, Features], new ZNodeGenerator { OnSourceEmitting = emitted.Add });
        emitted.Clear();

        Compilation edited = run.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            """
            using System.Text.Json.Serialization;
            namespace Contoso;
            [JsonSerializable(typeof(Features))]
            internal partial class FeaturesJson : JsonSerializerContext { }
            """,
            GeneratorHarness.ParseOptions,
            path: "Json.cs"));
        GeneratorDriverRunResult result = run.Driver.RunGenerators(edited).GetRunResult();

        ZNodeModel model = Assert.Single(emitted);
        Assert.Equal("global::Contoso.Features", model.Spec.FullyQualifiedName);
        Assert.Equal(new JsonSerializableEntry("global::Contoso.Features", "global::Contoso.FeaturesJson", "Features"), model.Json);
        Assert.DoesNotContain(result.Results[0].Diagnostics, d => d.Id == "ZKTS014" && d.GetMessage().Contains("Features", StringComparison.Ordinal));
    }

    private static object[] StepValues(GeneratorRun run, string step)
        => [.. run.ZNode.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value)];

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorDriverRunResult result, string step)
        => result.Results[0].TrackedSteps[step].SelectMany(s => s.Outputs);

    private static void AssertAllOutputs(GeneratorDriverRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        (object Value, IncrementalStepRunReason Reason)[] outputs = [.. Outputs(result, step)];
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(allowed.Contains(o.Reason), $"{step}: {o.Reason}"));
    }
}
