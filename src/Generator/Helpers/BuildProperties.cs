using System;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ZkTypedState.Generator.Helpers;

/// <summary>
/// MSBuild properties the generator reads through the analyzer config (<c>build_property.X</c>); the package's
/// build/buildTransitive props make them CompilerVisibleProperty.
/// </summary>
internal static class BuildProperties
{
    /// <summary>The properties that mean the output is trimmed or compiled ahead of time (or must be safe for it).</summary>
    public static readonly string[] TrimmedOrAot = ["PublishAot", "PublishTrimmed", "IsAotCompatible", "IsTrimmable", "EnableTrimAnalyzer", "EnableAotAnalyzer"];

    /// <summary>True when any of <see cref="TrimmedOrAot"/> is <c>true</c>.</summary>
    public static bool IsTrimmedOrAot(AnalyzerConfigOptions options)
    {
        foreach (string name in TrimmedOrAot)
        {
            if (options.TryGetValue("build_property." + name, out string? value) && string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
