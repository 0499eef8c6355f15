using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

/// <summary>
/// Checks a [ZNode] path or path template with ZooKeeper's own path rules (the same rules as the client's
/// <c>ZooKeeperPath.GetError</c>) plus the template rules of <c>ZNodeDescriptor&lt;T&gt;</c>, restricted to
/// whole-segment parameters. Pure string logic, no Roslyn symbols.
/// </summary>
internal static class ZNodePathParser
{
    /// <summary>The outcome: either an error (descriptor and message arguments after the path and type) or the parameters.</summary>
    internal sealed class Result
    {
        public DiagnosticDescriptor? Error { get; set; }

        public string[] ErrorArgs { get; set; } = [];

        public List<string> Parameters { get; } = [];

        /// <summary>The path with every parameter written as <c>{}</c>: two templates that differ only in names collide.</summary>
        public string NormalizedPath { get; set; } = string.Empty;
    }

    /// <summary>Parses <paramref name="path"/>; the first problem found is reported.</summary>
    public static Result Parse(string? path)
    {
        var result = new Result();
        if (string.IsNullOrEmpty(path) || path![0] != '/')
        {
            return Fail(result, DiagnosticDescriptors.PathNotAbsolute);
        }

        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c <= '\u001f' || (c >= '\u007f' && c <= '\u009f') || (c >= '\ud800' && c <= '\uf8ff') || c >= '\ufff0')
            {
                return Fail(result, DiagnosticDescriptors.InvalidCharacter, ((int)c).ToString("X4", CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (path.Length == 1)
        {
            result.NormalizedPath = path;
            return result;
        }

        var normalized = new StringBuilder(path.Length);
        int segmentStart = 1;
        for (int i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                continue;
            }

            string segment = path.Substring(segmentStart, i - segmentStart);
            if (segment.Length == 0)
            {
                return Fail(result, DiagnosticDescriptors.EmptySegment, (i == path.Length ? i - 1 : i).ToString(CultureInfo.InvariantCulture));
            }

            if (segment is "." or "..")
            {
                return Fail(result, DiagnosticDescriptors.RelativeSegment, segment);
            }

            normalized.Append('/');
            if (segment.IndexOf('{') >= 0 || segment.IndexOf('}') >= 0)
            {
                if (ParseParameter(segment, result) is { } problem)
                {
                    return problem;
                }

                normalized.Append("{}");
            }
            else
            {
                normalized.Append(segment);
            }

            segmentStart = i + 1;
        }

        if (path == "/zookeeper" || path.StartsWith("/zookeeper/", System.StringComparison.Ordinal))
        {
            return Fail(result, DiagnosticDescriptors.ReservedPath);
        }

        result.NormalizedPath = normalized.ToString();
        return result;
    }

    /// <summary>
    /// Turns parameter names into distinct C# parameter identifiers: a leading digit gets '_', keywords get '@'.
    /// </summary>
    public static EquatableArray<TemplateParameterSpec> ToParameterSpecs(IReadOnlyList<string> names)
    {
        var specs = new List<TemplateParameterSpec>(names.Count);
        var used = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (string name in names)
        {
            string identifier = name.Length > 0 && char.IsDigit(name[0]) ? "_" + name : name;
            if (!SyntaxFacts.IsValidIdentifier(identifier))
            {
                var builder = new StringBuilder("_");
                foreach (char c in name)
                {
                    builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
                }

                identifier = builder.ToString();
            }

            string unique = identifier;
            for (int n = 2; !used.Add(unique); n++)
            {
                unique = identifier + n.ToString(CultureInfo.InvariantCulture);
            }

            if (SyntaxFacts.GetKeywordKind(unique) != SyntaxKind.None)
            {
                unique = "@" + unique;
            }

            specs.Add(new TemplateParameterSpec(name, unique));
        }

        return new EquatableArray<TemplateParameterSpec>(specs);
    }

    private static Result? ParseParameter(string segment, Result result)
    {
        int open = segment.IndexOf('{');
        int close = segment.IndexOf('}');
        if (open < 0)
        {
            return Fail(result, DiagnosticDescriptors.MalformedParameter, $"'}}' without a matching '{{' in segment '{segment}'");
        }

        if (close < 0)
        {
            return Fail(result, DiagnosticDescriptors.MalformedParameter, $"unclosed '{{' in segment '{segment}'");
        }

        if (open != 0 || close != segment.Length - 1 || segment.IndexOf('{', 1) >= 0)
        {
            return Fail(result, DiagnosticDescriptors.MalformedParameter, $"segment '{segment}' mixes a parameter with other text");
        }

        string name = segment.Substring(1, segment.Length - 2);
        if (name.Length == 0)
        {
            return Fail(result, DiagnosticDescriptors.MalformedParameter, "'{}' has no name");
        }

        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return Fail(result, DiagnosticDescriptors.MalformedParameter, $"'{name}' is not a valid parameter name");
            }
        }

        if (result.Parameters.Contains(name))
        {
            return Fail(result, DiagnosticDescriptors.DuplicateParameter, name);
        }

        result.Parameters.Add(name);
        return null;
    }

    private static Result Fail(Result result, DiagnosticDescriptor descriptor, params string[] args)
    {
        result.Error = descriptor;
        result.ErrorArgs = args;
        return result;
    }
}
