using Microsoft.CodeAnalysis;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// Issue 12, "Why" 1 and 9: ZKTS014 becomes a warning when the project trims or publishes native AOT (read from the
/// analyzer config, as the package's CompilerVisibleProperty items pass it), ZKTS016 flags init-only defaults the
/// generator cannot keep, and <c>required</c> members are accepted.
/// </summary>
public class JsonSafetyDiagnosticTests
{
    private const string ContextLess = """
        using ZkTypedState;
        namespace Contoso;
        /// <summary>Settings.</summary>
        [ZNode("/config/app")]
        public partial record Settings
        {
            /// <summary>Currency.</summary>
            public string Currency { get; init; } = "EUR";
        }
        """;

    [Theory]
    [InlineData("PublishAot")]
    [InlineData("PublishTrimmed")]
    [InlineData("IsAotCompatible")]
    [InlineData("IsTrimmable")]
    [InlineData("EnableTrimAnalyzer")]
    public void ZKTS014_IsAWarningWhenTheProjectTrimsOrPublishesAot(string property)
    {
        GeneratorRun run = GeneratorHarness.Run([ContextLess], globalOptions: new Dictionary<string, string> { ["build_property." + property] = "true" });
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS014", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("add [JsonSerializable(typeof(Settings))]", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("")]
    public void ZKTS014_StaysInfoWithoutTrimming(string? value)
    {
        Dictionary<string, string>? options = value is null ? null : new() { ["build_property.PublishAot"] = value, ["build_property.PublishTrimmed"] = value };
        GeneratorRun run = GeneratorHarness.Run([ContextLess], globalOptions: options);
        Assert.Equal(DiagnosticSeverity.Info, Assert.Single(run.Diagnostics).Severity);
    }

    [Fact]
    public void ZKTS014_IsNotReportedWithAContextEvenUnderAot()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [ContextLess + """

                /// <summary>JSON.</summary>
                [System.Text.Json.Serialization.JsonSerializable(typeof(Settings))]
                internal partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext;
                """],
            withJsonGenerator: true,
            globalOptions: new Dictionary<string, string> { ["build_property.PublishAot"] = "true" });
        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void ZKTS016_InitDefaultsOfAStructUnderAContextAreReported()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using ZkTypedState;
            namespace Contoso;
            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial record struct Settings()
            {
                /// <summary>Currency.</summary>
                public string Currency { get; init; } = "EUR";
            }

            /// <summary>JSON.</summary>
            [System.Text.Json.Serialization.JsonSerializable(typeof(Settings))]
            internal partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext;
            """,
            withJsonGenerator: true);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS016", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("it is a struct", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ZKTS016_NamesANestedTypeWhoseInitDefaultsCannotBeKept()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using ZkTypedState;
            namespace Contoso;
            /// <summary>Inner.</summary>
            public record struct Inner()
            {
                /// <summary>B.</summary>
                public string B { get; init; } = "inner";
            }

            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial record Settings
            {
                /// <summary>Inner.</summary>
                public Inner Inner { get; init; } = new();
            }

            /// <summary>JSON.</summary>
            [System.Text.Json.Serialization.JsonSerializable(typeof(Settings))]
            internal partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext;
            """,
            withJsonGenerator: true);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS016", diagnostic.Id);
        Assert.Contains("its nested type 'Contoso.Inner' is a struct", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ANestedInitMemberOfATypeGeneratedCodeCannotNameIsReportedNotMiscompiled()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using System.Text.Json.Serialization;
            using ZkTypedState;
            namespace Contoso;
            /// <summary>Holder.</summary>
            public sealed class Holder
            {
                private sealed class Secret
                {
                }

                /// <summary>A.</summary>
                public int A { get; init; } = 1;

                [JsonInclude] private Secret? Hidden { get; init; }
            }

            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial record Settings
            {
                /// <summary>Holder.</summary>
                public Holder Holder { get; init; } = new();
            }

            /// <summary>JSON.</summary>
            [JsonSerializable(typeof(Settings))]
            internal partial class AppJson : JsonSerializerContext;
            """,
            withJsonGenerator: true);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal)));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS016", diagnostic.Id);
        Assert.Contains("'Hidden'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredMembersAreAcceptedAndDefaultedForTheMissingNodeValue()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ZkTypedState;
            namespace Contoso;
            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial class Settings
            {
                /// <summary>Name.</summary>
                public required string Name { get; init; }

                /// <summary>Limit.</summary>
                public int Limit { get; set; } = 3;
            }
            """);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "ZKTS011");
        run.AssertCompilesCleanly();
        var type = new GeneratedType(run.Load(), "Contoso.Settings");
        object value = type.CreateDefault();
        Assert.Null(type.Member(value, "Name"));
        Assert.Equal(3, type.Member(value, "Limit"));
    }
}
