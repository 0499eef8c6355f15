using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// Issue 16 item 1: [ZNode(Format = ZNodeFormat.Text)] and [ZNode(Codec = typeof(...))] — the generated descriptor
/// (snapshotted, compiled cleanly, loaded and exercised through its codec) and ZKTS017-ZKTS020.
/// </summary>
public class PayloadFormatTests
{
    private const string ParsableVersion = """
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.Globalization;
        using ZkTypedState;

        namespace Contoso.Releases;

        /// <summary>The release every node runs: "major.minor" text.</summary>
        [ZNode("/config/release", Format = ZNodeFormat.Text, Required = true)]
        public sealed partial record Release(int Major = 1, int Minor = 0) : IParsable<Release>
        {
            /// <inheritdoc/>
            public static Release Parse(string s, IFormatProvider? provider) =>
                TryParse(s, provider, out Release? result) ? result : throw new FormatException($"'{s}' is not major.minor.");

            /// <inheritdoc/>
            public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out Release result)
            {
                result = null;
                string[] parts = s?.Split('.') ?? [];
                if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, provider, out int major) && int.TryParse(parts[1], NumberStyles.None, provider, out int minor))
                {
                    result = new Release(major, minor);
                }

                return result is not null;
            }

            /// <inheritdoc/>
            public override string ToString() => FormattableString.Invariant($"{Major}.{Minor}");
        }
        """;

    private const string CodecType = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using System.Text;
        using ZkTypedState;

        namespace Contoso.Routing;

        /// <summary>Where to route: "host:port".</summary>
        [ZNode("/config/route/{region}", Codec = typeof(RouteCodec))]
        public sealed partial class Route
        {
            /// <summary>The host.</summary>
            public string Host { get; set; } = "localhost";

            /// <summary>The port.</summary>
            [Range(1, 65535)]
            public int Port { get; set; } = 80;
        }

        /// <summary>Reads and writes "host:port".</summary>
        public sealed class RouteCodec : IZNodeCodec<Route>
        {
            /// <inheritdoc/>
            public Route Decode(ReadOnlyMemory<byte> payload)
            {
                string[] parts = Encoding.UTF8.GetString(payload.Span).Split(':');
                return parts.Length == 2 ? new Route { Host = parts[0], Port = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) } : throw new ZNodeCodecException("expected host:port");
            }

            /// <inheritdoc/>
            public byte[] Encode(Route value) => Encoding.UTF8.GetBytes(value.Host + ":" + value.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        """;

    [Fact]
    public void TextFormat()
    {
        GeneratorRun run = GeneratorHarness.Run(ParsableVersion);

        // No ZKTS014: a text type has no JSON metadata to be reflection-based.
        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Releases.Release");
        Assert.False(type.IsJson);
        object release = type.Decode(Encoding.UTF8.GetBytes("3.14\n"));
        Assert.Equal((3, 14), ((int)type.Member(release, "Major")!, (int)type.Member(release, "Minor")!));
        Assert.Equal("3.14", Encoding.UTF8.GetString(type.Encode(release)));
        Assert.Equal("1.0", Encoding.UTF8.GetString(type.Encode(type.CreateDefault())));
        var bad = Assert.Throws<TargetInvocationException>(() => type.Decode(Encoding.UTF8.GetBytes("three")));
        Assert.IsType<ZNodeCodecException>(bad.InnerException);
    }

    [Fact]
    public void CodecTypeWithTemplateAndValidation()
    {
        GeneratorRun run = GeneratorHarness.Run(CodecType);

        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Routing.Route");
        Assert.Equal("RouteCodec", type.Codec.GetType().Name);
        object route = type.Decode(Encoding.UTF8.GetBytes("db:0"));
        Assert.Equal("db", type.Member(route, "Host"));

        // Validation is the type's, whatever the format.
        Assert.Single(type.Validate(route));
        Assert.Equal("localhost:80", Encoding.UTF8.GetString(type.Encode(type.CreateDefault())));
    }

    [Fact]
    public void ZKTS017_TextFormatOnATypeThatIsNotParsable() =>
        AssertSingleError(
            Declared("[ZNode(\"/config/app\", Format = ZNodeFormat.Text)]", "public partial record Settings;"),
            "ZKTS017",
            "ZNode(\"/config/app\", Format = ZNodeFormat.Text)",
            "implement IParsable<Settings>");

    [Fact]
    public void ZKTS017_AnUndefinedFormatValue() =>
        AssertSingleError(
            Declared("[ZNode(\"/config/app\", Format = (ZNodeFormat)7)]", "public partial record Settings;"),
            "ZKTS017",
            "ZNode(\"/config/app\", Format = (ZNodeFormat)7)",
            "Format = 7 is not a ZNodeFormat value");

    [Theory]
    [InlineData("public sealed class C { }", "it does not implement IZNodeCodec<Settings>")]
    [InlineData("public sealed class C : Other { } public class Other : IZNodeCodec<int> { public int Decode(System.ReadOnlyMemory<byte> p) => 0; public byte[] Encode(int v) => []; }", "it does not implement IZNodeCodec<Settings>")]
    [InlineData("public abstract class C : IZNodeCodec<Settings> { public abstract Settings Decode(System.ReadOnlyMemory<byte> p); public byte[] Encode(Settings v) => []; }", "it is abstract or static")]
    [InlineData("public sealed class C(int x) : IZNodeCodec<Settings> { public Settings Decode(System.ReadOnlyMemory<byte> p) => new(); public byte[] Encode(Settings v) => [x]; }", "it has no public parameterless constructor")]
    [InlineData("public interface C : IZNodeCodec<Settings> { }", "it is not a class")]
    public void ZKTS018_AnUnusableCodecType(string codec, string problem) =>
        AssertSingleError(
            Declared("[ZNode(\"/config/app\", Codec = typeof(C))]", "public partial record Settings;\n" + codec),
            "ZKTS018",
            "ZNode(\"/config/app\", Codec = typeof(C))",
            problem);

    [Fact]
    public void ZKTS018_ACodecPrivateToTheTypeIsFine()
    {
        GeneratorRun run = GeneratorHarness.Run(Declared(
            "[ZNode(\"/config/app\", Codec = typeof(Settings.Own))]",
            """
            public sealed partial record Settings
            {
                private sealed class Own : IZNodeCodec<Settings>
                {
                    public Settings Decode(System.ReadOnlyMemory<byte> payload) => new();

                    public byte[] Encode(Settings value) => [];
                }
            }
            """));
        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void ZKTS019_FormatAndCodecTogether() =>
        AssertSingleError(
            Declared("[ZNode(\"/config/app\", Format = ZNodeFormat.Text, Codec = typeof(C))]", "public partial record Settings;\npublic sealed class C : IZNodeCodec<Settings> { public Settings Decode(System.ReadOnlyMemory<byte> p) => new(); public byte[] Encode(Settings v) => []; }"),
            "ZKTS019",
            "ZNode(\"/config/app\", Format = ZNodeFormat.Text, Codec = typeof(C))",
            "sets both Format and Codec");

    [Fact]
    public void ZKTS020_StrictWithoutJsonWarnsAndStillGenerates()
    {
        string source = Declared(
            "[ZNode(\"/config/app\", Codec = typeof(C), Strict = true)]",
            "public partial record Settings;\npublic sealed class C : IZNodeCodec<Settings> { public Settings Decode(System.ReadOnlyMemory<byte> p) => new(); public byte[] Encode(Settings v) => []; }");
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic warning = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS020", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(Span(source, "ZNode(\"/config/app\", Codec = typeof(C), Strict = true)"), warning.Location.SourceSpan);
        Assert.Contains("only applies to JSON payloads", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // Generated all the same, without Strict (it would mean nothing).
        Assert.NotEmpty(run.ZNode.GeneratedSources);
        Assert.DoesNotContain("Strict = true", run.RenderSources(), StringComparison.Ordinal);
    }

    private static string Declared(string attribute, string declarations) => $$"""
        using ZkTypedState;
        namespace Contoso;
        /// <summary>Settings.</summary>
        {{attribute}}
        {{declarations}}
        """;

    private static void AssertSingleError(string source, string id, string spanText, string messagePart)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.ZNode.Exception);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(LocationKind.SourceFile, diagnostic.Location.Kind);
        Assert.Equal(Span(source, spanText), diagnostic.Location.SourceSpan);
        Assert.Contains(messagePart, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // A type with errors gets no generated code (and so no registration).
        Assert.Empty(run.ZNode.GeneratedSources);
    }

    private static TextSpan Span(string source, string text)
    {
        int start = source.IndexOf(text, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{text}' not in the source");
        return new TextSpan(start, text.Length);
    }
}
