using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ZkTypedState.Generator.Helpers;

/// <summary>
/// A source location reduced to values (file path, span, line span), so a model can carry it without holding a
/// <see cref="SyntaxTree"/> (and with it the whole compilation) alive, and still compare by value.
/// </summary>
/// <param name="FilePath">The syntax tree's file path.</param>
/// <param name="Span">The character span in the file.</param>
/// <param name="LineSpan">The line/column span, for the external-file fallback.</param>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>Captures a location; null for locations outside source.</summary>
    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);
    }

    /// <summary>Captures the location of a syntax node.</summary>
    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    /// <summary>
    /// Rebuilds a <see cref="Location"/>. With the compilation's syntax trees at hand it is a real source location
    /// (which honours <c>#pragma warning disable</c>, dotnet/roslyn#68291); otherwise an external-file location.
    /// </summary>
    public Location ToLocation(IReadOnlyDictionary<string, SyntaxTree>? treesByPath)
    {
        if (treesByPath is not null && treesByPath.TryGetValue(FilePath, out SyntaxTree? tree) && Span.End <= tree.Length)
        {
            return Location.Create(tree, Span);
        }

        return Location.Create(FilePath, Span, LineSpan);
    }
}

/// <summary>
/// A diagnostic as a value: descriptor, message arguments and location info. Equatable, so the pipeline step that
/// produces diagnostics can be cached like any other model (the approach of dotnet/runtime's generators).
/// </summary>
/// <param name="Descriptor">What is reported.</param>
/// <param name="MessageArgs">The message's format arguments, already rendered as text.</param>
/// <param name="Location">Where, or null for no location.</param>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, EquatableArray<string> MessageArgs, LocationInfo? Location)
{
    /// <summary>The severity reported, when it differs from the descriptor's default (ZKTS014 in trimmed/AOT builds).</summary>
    public DiagnosticSeverity? Severity { get; init; }

    /// <summary>Creates a diagnostic info.</summary>
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs)
        => new(descriptor, new EquatableArray<string>(messageArgs), location);

    /// <summary>Materialises the Roslyn diagnostic.</summary>
    public Diagnostic ToDiagnostic(IReadOnlyDictionary<string, SyntaxTree>? treesByPath)
    {
        Location location = Location?.ToLocation(treesByPath) ?? Microsoft.CodeAnalysis.Location.None;
        object?[] args = MessageArgs.Cast<object?>().ToArray();
        return Severity is { } severity && severity != Descriptor.DefaultSeverity
            ? Diagnostic.Create(Descriptor, location, severity, additionalLocations: null, properties: null, args)
            : Diagnostic.Create(Descriptor, location, args);
    }

    /// <summary>A stable sort key: file, position, ID.</summary>
    public static int Compare(DiagnosticInfo x, DiagnosticInfo y)
    {
        int c = string.CompareOrdinal(x.Location?.FilePath, y.Location?.FilePath);
        if (c != 0)
        {
            return c;
        }

        c = (x.Location?.Span.Start ?? -1).CompareTo(y.Location?.Span.Start ?? -1);
        return c != 0 ? c : string.CompareOrdinal(x.Descriptor.Id, y.Descriptor.Id);
    }
}
