using ZkTypedState.Generator.Helpers;

namespace ZkTypedState.Generator.Model;

/// <summary>
/// What parsing one [ZNode] declaration produced: the emit spec (null when the type cannot be bound), the diagnostics,
/// and what the compilation-wide checks need (the normalised path for duplicate detection, where to report).
/// </summary>
/// <param name="Spec">The spec to emit, or null.</param>
/// <param name="Diagnostics">Problems of this declaration alone.</param>
/// <param name="TypeDisplayName">The type as messages name it (<c>Ns.Outer.Limits</c>).</param>
/// <param name="TypeFullyQualifiedName">The type as code names it (<c>global::Ns.Outer.Limits</c>).</param>
/// <param name="Path">The path as written (null when the attribute has no usable argument).</param>
/// <param name="NormalizedPath">The path with parameter names erased, when the path is valid; otherwise null.</param>
/// <param name="PathLocation">Where the path argument is.</param>
/// <param name="AttributeLocation">Where the attribute is.</param>
internal sealed record ZNodeParseResult(
    ZNodeSpec? Spec,
    EquatableArray<DiagnosticInfo> Diagnostics,
    string TypeDisplayName,
    string TypeFullyQualifiedName,
    string? Path,
    string? NormalizedPath,
    LocationInfo? PathLocation,
    LocationInfo? AttributeLocation)
{
    /// <summary>A declaration the generator leaves alone (the compiler already reports the problem, e.g. a missing argument).</summary>
    public static readonly ZNodeParseResult Skipped = new(null, EquatableArray<DiagnosticInfo>.Empty, string.Empty, string.Empty, null, null, null, null);
}
