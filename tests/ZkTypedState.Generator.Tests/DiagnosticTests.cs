using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>One test per diagnostic: its ID, severity and location (the path argument or the attribute).</summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("\"config/app\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    public void ZKTS001_PathNotAbsolute(string argument)
        => AssertSingle(Bound(argument), "ZKTS001", argument, "start it with '/'");

    [Theory]
    [InlineData("\"/config//app\"", "index 8")]
    [InlineData("\"/config/app/\"", "index 11")]
    [InlineData("\"//\"", "index 1")]
    public void ZKTS002_EmptySegmentOrTrailingSlash(string argument, string where)
        => AssertSingle(Bound(argument), "ZKTS002", argument, where);

    [Theory]
    [InlineData("\"/config/../app\"", "'..'")]
    [InlineData("\"/./config\"", "'.'")]
    public void ZKTS003_RelativeSegment(string argument, string segment)
        => AssertSingle(Bound(argument), "ZKTS003", argument, segment);

    [Theory]
    [InlineData("\"/config/\\u0001app\"", "U+0001 at index 8")]
    [InlineData("\"/config/\\u0085\"", "U+0085 at index 8")]
    [InlineData("\"/config/\\uE000\"", "U+E000 at index 8")]
    [InlineData("\"/config/\\uFFFF\"", "U+FFFF at index 8")]
    public void ZKTS004_InvalidCharacter(string argument, string what)
        => AssertSingle(Bound(argument), "ZKTS004", argument, what);

    [Theory]
    [InlineData("\"/zookeeper\"")]
    [InlineData("\"/zookeeper/quota/app\"")]
    public void ZKTS005_ReservedPath(string argument)
        => AssertSingle(Bound(argument), "ZKTS005", argument, "reserves");

    [Theory]
    [InlineData("\"/tenants/{tenant\"", "unclosed '{'")]
    [InlineData("\"/tenants/tenant}\"", "'}' without a matching '{'")]
    [InlineData("\"/tenants/{}\"", "'{}' has no name")]
    [InlineData("\"/tenants/{ten-ant}\"", "'ten-ant' is not a valid parameter name")]
    [InlineData("\"/tenants/t-{tenant}\"", "mixes a parameter with other text")]
    public void ZKTS006_MalformedParameter(string argument, string problem)
        => AssertSingle(Bound(argument), "ZKTS006", argument, problem);

    [Fact]
    public void ZKTS007_DuplicateParameter()
        => AssertSingle(Bound("\"/tenants/{id}/users/{id}\""), "ZKTS007", "\"/tenants/{id}/users/{id}\"", "'{id}' more than once");

    [Fact]
    public void ZKTS008_DuplicatePath_ReportedOnBothTypes()
    {
        string first = Source("A", "\"/tenants/{tenant}/limits\"");
        string second = Source("B", "\"/tenants/{name}/limits\"");
        GeneratorRun run = GeneratorHarness.Run([first, second]);
        Diagnostic[] errors = [.. run.Diagnostics.Where(d => d.Id == "ZKTS008")];
        Assert.Equal(2, errors.Length);
        AssertDiagnostic(errors[0], "ZKTS008", DiagnosticSeverity.Error, "Input0.cs", Span(first, "\"/tenants/{tenant}/limits\""), "also bound by 'Contoso.B'");
        AssertDiagnostic(errors[1], "ZKTS008", DiagnosticSeverity.Error, "Input1.cs", Span(second, "\"/tenants/{name}/limits\""), "also bound by 'Contoso.A'");
    }

    [Fact]
    public void ZKTS009_GenericType()
    {
        string source = """
            using ZkTypedState;
            namespace Contoso;
            [ZNode("/config/generic")]
            public partial class Settings<T> { }
            """;
        AssertSingle(source, "ZKTS009", "ZNode(\"/config/generic\")", "is generic");
    }

    [Fact]
    public void ZKTS009_NestedInGenericType()
    {
        string source = """
            using ZkTypedState;
            namespace Contoso;
            public partial class Outer<T>
            {
                [ZNode("/config/inner")]
                public partial class Inner { }
            }
            """;
        AssertSingle(source, "ZKTS009", "ZNode(\"/config/inner\")", "nested in a generic type");
    }

    [Theory]
    [InlineData("public abstract partial class Settings { }", "is abstract")]
    [InlineData("public static partial class Settings { }", "is static")]
    [InlineData("public ref partial struct Settings { }", "is a ref struct")]
    public void ZKTS010_AbstractStaticOrRefStruct(string declaration, string what)
        => AssertSingle(Declared(declaration), "ZKTS010", "ZNode(\"/config/app\")", what);

    [Theory]
    [InlineData("public partial record Settings(int Limit);", "add a parameterless constructor")]
    [InlineData("public partial class Settings { public Settings(string name) { } }", "add a parameterless constructor")]
    public void ZKTS011_NoUsableConstructor(string declaration, string problem)
        => AssertSingle(Declared(declaration), "ZKTS011", "ZNode(\"/config/app\")", problem);

    [Theory]
    [InlineData("private", "is private")]
    [InlineData("protected", "is protected")]
    [InlineData("private protected", "is private protected")]
    public void ZKTS012_InaccessibleType(string accessibility, string what)
    {
        string source = $$"""
            using ZkTypedState;
            namespace Contoso;
            public partial class Outer
            {
                [ZNode("/config/app")]
                {{accessibility}} partial class Settings { }
            }
            """;
        AssertSingle(source, "ZKTS012", "ZNode(\"/config/app\")", what);
    }

    [Fact]
    public void ZKTS012_NestedInPrivateType()
    {
        string source = """
            using ZkTypedState;
            namespace Contoso;
            public partial class Outer
            {
                private partial class Hidden
                {
                    [ZNode("/config/app")]
                    public partial class Settings { }
                }
            }
            """;
        AssertSingle(source, "ZKTS012", "ZNode(\"/config/app\")", "nested in the private type 'Hidden'");
    }

    [Fact]
    public void ZKTS012_FileLocalType()
        => AssertSingle(Declared("file partial class Settings { }"), "ZKTS012", "ZNode(\"/config/app\")", "is file-local");

    [Fact]
    public void ZKTS013_MissingPartial()
        => AssertSingle(Declared("public class Settings { }"), "ZKTS013", "ZNode(\"/config/app\")", "add the 'partial' modifier to 'Settings'");

    [Fact]
    public void ZKTS013_MissingPartialOnContainingTypes()
    {
        string source = """
            using ZkTypedState;
            namespace Contoso;
            public class Outer
            {
                public class Middle
                {
                    [ZNode("/config/app")]
                    public partial class Settings { }
                }
            }
            """;
        AssertSingle(source, "ZKTS013", "ZNode(\"/config/app\")", "add the 'partial' modifier to 'Outer' and 'Middle'");
    }

    [Fact]
    public void ZKTS014_ReflectionFallbackIsInfo()
    {
        string source = Declared("public partial class Settings { }");
        GeneratorRun run = GeneratorHarness.Run(source);
        AssertDiagnostic(
            Assert.Single(run.Diagnostics),
            "ZKTS014",
            DiagnosticSeverity.Info,
            "Input0.cs",
            Span(source, "ZNode(\"/config/app\")"),
            "add [JsonSerializable(typeof(Settings))] to a partial JsonSerializerContext");
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void ZKTS014_CanBeSuppressedWithPragma()
    {
        string source = """
            using ZkTypedState;
            namespace Contoso;
            #pragma warning disable ZKTS014
            [ZNode("/config/app")]
            public partial class Settings { }
            #pragma warning restore ZKTS014
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS014", diagnostic.Id);
        Assert.True(diagnostic.IsSuppressed);
    }

    [Fact]
    public void ZKTS015_InternalErrorBecomesADiagnostic()
    {
        string source = Declared("public partial class Settings { }");
        var generator = new ZNodeGenerator { OnParsing = _ => throw new InvalidOperationException("simulated failure") };
        GeneratorRun run = GeneratorHarness.Run(source, generator);
        Assert.Null(run.ZNode.Exception);
        AssertDiagnostic(
            Assert.Single(run.Diagnostics),
            "ZKTS015",
            DiagnosticSeverity.Error,
            "Input0.cs",
            Span(source, "ZNode(\"/config/app\")"),
            "InvalidOperationException: simulated failure");
        Assert.Empty(run.ZNode.GeneratedSources);
    }

    [Fact]
    public void EveryDescriptorHasAReleaseTrackingEntryAndAFixInItsMessage()
    {
        DiagnosticDescriptor[] descriptors = [.. typeof(DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)];
        Assert.Equal(20, descriptors.Length);
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Id).Distinct().Count());

        string unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Generator", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.Matches("^ZKTS0\\d\\d$", descriptor.Id);
            Assert.Equal("ZkTypedState", descriptor.Category);
            Assert.Contains($"{descriptor.Id} | ZkTypedState | {descriptor.DefaultSeverity} | {descriptor.Title}", unshipped);
            Assert.Matches("(:|add|make|give|bind|choose|remove|write|start|report)", descriptor.MessageFormat.ToString());
        }
    }

    private static string Source(string typeName, string argument) => $$"""
        using ZkTypedState;
        namespace Contoso;
        [ZNode({{argument}})]
        public partial class {{typeName}} { }
        """;

    private static string Bound(string argument) => Source("Settings", argument);

    private static string Declared(string declaration) => $$"""
        using ZkTypedState;
        namespace Contoso;
        /// <summary>Settings.</summary>
        [ZNode("/config/app")]
        {{declaration}}
        """;

    private static void AssertSingle(string source, string id, string spanText, string messagePart)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.ZNode.Exception);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        AssertDiagnostic(diagnostic, id, DiagnosticSeverity.Error, "Input0.cs", Span(source, spanText), messagePart);

        // A type with errors gets no generated code (and so no registration).
        Assert.Empty(run.ZNode.GeneratedSources);
    }

    private static void AssertDiagnostic(Diagnostic diagnostic, string id, DiagnosticSeverity severity, string file, TextSpan span, string messagePart)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(LocationKind.SourceFile, diagnostic.Location.Kind);
        Assert.Equal(file, diagnostic.Location.SourceTree!.FilePath);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains(messagePart, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static TextSpan Span(string source, string text)
    {
        int start = source.IndexOf(text, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{text}' not in the source");
        return new TextSpan(start, text.Length);
    }

    private static string RepositoryRoot() => Path.GetFullPath(Path.Combine(Snapshots.ProjectDirectory, "..", ".."));
}
