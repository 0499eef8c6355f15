using System.Reflection;
using Microsoft.CodeAnalysis;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// The generator never throws: odd or broken shapes end in the compiler's own errors or in ZKTS diagnostics, never in a
/// generator exception, and valid but unusual shapes compile cleanly.
/// </summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("[ZNode] public partial class Settings { }", "CS7036")]
    [InlineData("[ZNode(Paths.Dynamic)] public partial class Settings { } public static class Paths { public static string Dynamic => \"/x\"; }", "CS0182")]
    [InlineData("[ZNode(42)] public partial class Settings { }", "CS1503")]
    [InlineData("[ZNode(\"/a\", \"/b\")] public partial class Settings { }", "CS1729")]
    [InlineData("[ZNode(\"/config/app\")] public partial interface ISettings { }", "CS0592")]
    [InlineData("[ZNode(\"/config/app\")] public enum Mode { A }", "CS0592")]
    [InlineData("public partial class Settings { [ZNode(\"/config/app\")] public int Value { get; set; } }", "CS0592")]
    [InlineData("[ZNode(\"/config/app\")] public partial class Settings : MissingBase { }", "CS0246")]
    public void BrokenShapes_LeaveItToTheCompiler(string declaration, string compilerError)
    {
        GeneratorRun run = GeneratorHarness.Run("using ZkTypedState;\nnamespace Contoso;\n" + declaration);
        Assert.Null(run.ZNode.Exception);
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == compilerError);
    }

    [Fact]
    public void NullArgument_IsReportedAsNotAbsolute()
    {
        GeneratorRun run = GeneratorHarness.Run("using ZkTypedState;\nnamespace Contoso;\n[ZNode(null!)] public partial class Settings { }");
        Assert.Null(run.ZNode.Exception);
        Assert.Equal("ZKTS001", Assert.Single(run.Diagnostics).Id);
    }

    [Fact]
    public void TemplateParameters_NamedLikeTheAccessorsOwnParameters_Compile()
    {
        // The family accessor's TryGet(…, out node) and GetAsync(…, cancellationToken) must not clash with {node}.
        GeneratorRun run = GeneratorHarness.Run(
            "using ZkTypedState;\nnamespace Contoso;\n/// <summary>Odd names.</summary>\n[ZNode(\"/config/{node}/{cancellationToken}/{node_}\")]\npublic partial class Odd { /// <summary>A.</summary>\npublic int A { get; set; } }");
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void PartialTypeInTwoFiles_WithTheAttributeOnOnePart_IsGeneratedOnce()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                "using ZkTypedState;\nnamespace Contoso;\n/// <summary>Split.</summary>\n[ZNode(\"/config/split\")]\npublic partial class Split { /// <summary>A.</summary>\npublic int A { get; set; } }",
                "namespace Contoso;\npublic partial class Split { /// <summary>B.</summary>\npublic int B { get; set; } = 2; }",
            ]);
        run.AssertCompilesCleanly();
        Assert.Single(run.ZNode.GeneratedSources, s => s.HintName == "Contoso.Split.ZNode.g.cs");
    }

    [Fact]
    public void PartialTypeInTwoFiles_WithTheAttributeOnBothParts_IsGeneratedOnceWithoutDuplicatePathErrors()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                "using ZkTypedState;\nnamespace Contoso;\n[ZNode(\"/config/split\")]\npublic partial class Split { }",
                "using ZkTypedState;\nnamespace Contoso;\n[ZNode(\"/config/split\")]\npublic partial class Split { }",
            ]);
        Assert.Null(run.ZNode.Exception);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "ZKTS008");
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
        Assert.Single(run.ZNode.GeneratedSources, s => s.HintName == "Contoso.Split.ZNode.g.cs");
    }

    [Fact]
    public void FailureOnOneType_DoesNotStopTheOthers()
    {
        var generator = new ZNodeGenerator { OnParsing = name => { if (name.EndsWith("Bad", StringComparison.Ordinal)) { throw new InvalidOperationException("boom"); } } };
        GeneratorRun run = GeneratorHarness.Run(
            "using ZkTypedState;\nnamespace Contoso;\n[ZNode(\"/config/bad\")] public partial class Bad { }\n[ZNode(\"/config/good\")] public partial class Good { }",
            generator);
        Assert.Null(run.ZNode.Exception);
        Assert.Equal("ZKTS015", Assert.Single(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Id);
        Assert.Contains(run.ZNode.GeneratedSources, s => s.HintName == "Contoso.Good.ZNode.g.cs");
        Assert.DoesNotContain(run.ZNode.GeneratedSources, s => s.HintName.Contains("Bad", StringComparison.Ordinal));
    }

    [Fact]
    public void UnusualButValidShapes_CompileCleanly()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                """
                using System.ComponentModel.DataAnnotations;
                using ZkTypedState;

                /// <summary>A type in the global namespace, with a keyword for a name.</summary>
                [ZNode("/config/a&b<c>/\"quoted\"\\back")]
                public partial class @event
                {
                    /// <summary>A member with a keyword for a name.</summary>
                    [Range(-5, 5)]
                    public int @class { get; set; }

                    /// <summary>A validated field.</summary>
                    [MaxLength(3)]
                    public string? Field = "ab";
                }

                namespace Contoso.@namespace
                {
                    /// <summary>Template parameters that are keywords or start with a digit.</summary>
                    [ZNode("/config/{class}/{1st}/{_x}/{Ω}")]
                    internal partial struct Odd
                    {
                        /// <summary>A value.</summary>
                        public int Value { get; set; }

                        /// <summary>An explicit parameterless constructor.</summary>
                        public Odd() => Value = 42;
                    }

                    /// <summary>Nested in an interface.</summary>
                    public partial interface IHost
                    {
                        /// <summary>Settings.</summary>
                        [ZNode("/config/hosted")]
                        public partial record Hosted(string Name = "host", int Port = 2181);
                    }

                    /// <summary>All-optional constructors twice: explicit arguments pick the first.</summary>
                    [ZNode("/config/ambiguous")]
                    public partial class Ambiguous
                    {
                        /// <summary>One.</summary>
                        public Ambiguous(int a = 1) => A = a;

                        /// <summary>Two.</summary>
                        public Ambiguous(string b = "b", params int[] rest) => B = b;

                        /// <summary>A.</summary>
                        public int A { get; }

                        /// <summary>B.</summary>
                        public string? B { get; }
                    }

                    /// <summary>A bound base class.</summary>
                    [ZNode("/config/base")]
                    public partial class BaseSettings
                    {
                        /// <summary>Shared.</summary>
                        [Range(0, 10)]
                        public int Shared { get; set; }
                    }

                    /// <summary>A bound derived class: its ZNode hides the base's.</summary>
                    [ZNode("/config/derived/{id}")]
                    public sealed partial class DerivedSettings : BaseSettings
                    {
                        /// <summary>Own.</summary>
                        [Range(0, 10)]
                        public int Own { get; set; }
                    }

                    /// <summary>Required members with a constructor that sets them.</summary>
                    [ZNode("/config/required")]
                    public partial class WithRequired
                    {
                        /// <summary>Sets everything.</summary>
                        [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
                        public WithRequired() => Name = "n";

                        /// <summary>Required.</summary>
                        public required string Name { get; init; }
                    }
                }
                """,
            ]);
        run.AssertCompilesCleanly();

        Assembly assembly = run.Load();
        var odd = new GeneratedType(assembly, "Contoso.namespace.Odd");
        Assert.Equal(42, odd.Member(odd.CreateDefault(), "Value"));
        Type family = assembly.GetType("Contoso.namespace.OddFamily", throwOnError: true)!;
        Assert.Equal(["class", "_1st", "_x", "Ω"], family.GetMethod("Get")!.GetParameters().Select(p => p.Name));

        var keyword = new GeneratedType(assembly, "event");
        Assert.Equal("/config/a&b<c>/\"quoted\"\\back", keyword.PathTemplate);
        object value = keyword.CreateDefault();
        Assert.Empty(keyword.Validate(value));
        assembly.GetType("event")!.GetProperty("class")!.SetValue(value, 9);
        Assert.Single(keyword.Validate(value));

        var hosted = new GeneratedType(assembly, "Contoso.namespace.IHost+Hosted");
        Assert.Equal(2181, hosted.Member(hosted.CreateDefault(), "Port"));
        var derived = new GeneratedType(assembly, "Contoso.namespace.DerivedSettings");
        Assert.Equal("/config/derived/{id}", derived.PathTemplate);
        object invalid = derived.Deserialize("""{"Shared":11,"Own":12}""");
        Assert.Equal(2, derived.Validate(invalid).Count);
        var ambiguous = new GeneratedType(assembly, "Contoso.namespace.Ambiguous");
        Assert.Equal(1, ambiguous.Member(ambiguous.CreateDefault(), "A"));
    }

    [Fact]
    public void UnusableJsonContexts_FallBackToReflection()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System.Text.Json.Serialization;
            using ZkTypedState;
            namespace Contoso;
            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial class Settings { }
            /// <summary>Not partial.</summary>
            [JsonSerializable(typeof(Settings))]
            internal class NotPartial : JsonSerializerContext { public NotPartial() : base(null) { } protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null; public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(System.Type type) => null; }
            /// <summary>Not a context.</summary>
            [JsonSerializable(typeof(Settings))]
            internal partial class NotAContext { }
            /// <summary>Holder.</summary>
            public partial class Holder
            {
                [JsonSerializable(typeof(Settings))]
                private partial class Hidden : JsonSerializerContext { }
            }
            """);
        Assert.Null(run.ZNode.Exception);
        Assert.Equal("ZKTS014", Assert.Single(run.Diagnostics).Id);
    }

    [Fact]
    public void NoZNodeTypes_GenerateNothing()
    {
        GeneratorRun run = GeneratorHarness.Run("namespace Contoso; public sealed class Plain { }");
        Assert.Empty(run.ZNode.GeneratedSources);
        Assert.Empty(run.Diagnostics);
    }
}
