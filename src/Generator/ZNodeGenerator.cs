using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

/// <summary>
/// The [ZNode] source generator: for every type carrying <c>ZkTypedState.ZNodeAttribute</c> it emits the node
/// descriptor (<c>T.ZNode</c>), a typed accessor for path templates, and one <c>AddGeneratedZNodes()</c> registration
/// per assembly; problems are reported as ZKTS0xx diagnostics.
/// </summary>
/// <remarks>
/// Pipeline only; parsing (symbols to models) is in <c>ZNodeGenerator.Parser.cs</c>, emitting (models to text) in
/// <c>ZNodeGenerator.Emitter.cs</c>. Every value flowing between steps is value-equatable, so an unrelated edit leaves
/// the steps cached and nothing is re-emitted. Diagnostics flow through their own output, apart from the sources.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class ZNodeGenerator : IIncrementalGenerator
{
    internal const string ZNodeAttributeMetadataName = "ZkTypedState.ZNodeAttribute";
    internal const string JsonSerializableAttributeMetadataName = "System.Text.Json.Serialization.JsonSerializableAttribute";

    /// <summary>Called with each model just before its source is emitted (tests count emissions with it).</summary>
    internal Action<ZNodeModel>? OnSourceEmitting { get; init; }

    /// <summary>Called with each type's name as it is parsed (tests inject failures with it).</summary>
    internal Action<string>? OnParsing { get; init; }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        Action<string>? onParsing = OnParsing;
        Action<ZNodeModel>? onSourceEmitting = OnSourceEmitting;

        // 1. Each [ZNode] declaration, parsed to a value model plus its own diagnostics.
        IncrementalValuesProvider<ZNodeParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ZNodeAttributeMetadataName,
                static (node, _) => node is ClassDeclarationSyntax or StructDeclarationSyntax or RecordDeclarationSyntax,
                (syntaxContext, cancellationToken) => Parser.Parse(syntaxContext, onParsing, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        // 2. Every [JsonSerializable(typeof(T))] of the compilation's JsonSerializerContexts, as one sorted value.
        IncrementalValueProvider<EquatableArray<JsonSerializableEntry>> jsonIndex = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                JsonSerializableAttributeMetadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntaxContext, cancellationToken) => Parser.ParseJsonContext(syntaxContext, cancellationToken))
            .WithTrackingName(TrackingNames.JsonContext)
            .Collect()
            .Select(static (contexts, _) => contexts.SelectMany(c => c).OrderBy(e => e, Comparer<JsonSerializableEntry>.Default).ToEquatableArray())
            .WithTrackingName(TrackingNames.JsonIndex);

        // 3. Bindable types with their JSON metadata resolved: one file each.
        IncrementalValuesProvider<ZNodeModel> models = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Spec)
            .Combine(jsonIndex)
            .Select(static (pair, _) => ZNodeModel.Create(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Model);

        context.RegisterSourceOutput(models, (production, model) =>
        {
            onSourceEmitting?.Invoke(model);
            Emit(production, model.Spec.FullyQualifiedName, () => production.AddSource(Emitter.GetHintName(model.Spec), Emitter.EmitType(model)));
        });

        // 4. One registration class for the assembly (nothing at all when there is no [ZNode] type).
        IncrementalValueProvider<EquatableArray<RegistrationEntry>> registration = models
            .Select(static (model, _) => new RegistrationEntry(model.Spec.FullyQualifiedName, model.Spec.FamilyFullyQualifiedName))
            .Collect()
            .Select(static (entries, _) => entries
                .Distinct()
                .OrderBy(e => e.TypeFullyQualifiedName, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(TrackingNames.Registration);

        //    The assembly's name (for the public Add<Assembly>ZNodes()) and whether it grants InternalsVisibleTo (then its
        //    internal AddGeneratedZNodes() must lose the overload tie-break in the assemblies that see it).
        IncrementalValueProvider<(string? Name, bool GrantsInternals)> assembly = context.CompilationProvider
            .Select(static (compilation, _) => (compilation.AssemblyName, compilation.Assembly.GetAttributes()
                .Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InternalsVisibleToAttribute")))
            .WithTrackingName(TrackingNames.AssemblyName);

        context.RegisterSourceOutput(registration.Combine(assembly), static (production, pair) =>
        {
            if (!pair.Left.IsEmpty)
            {
                Emit(production, "AddGeneratedZNodes", () => production.AddSource(
                    Emitter.RegistrationHintName,
                    Emitter.EmitRegistration(pair.Left, pair.Right.Name, pair.Right.GrantsInternals)));
            }
        });

        // 5. Diagnostics: per declaration, duplicate paths across declarations, reflection fallbacks. Reported on their own
        //    pipeline; the compilation's syntax trees are joined in only here, to rebuild real source locations so that
        //    '#pragma warning disable' works (dotnet/roslyn#68291). The source pipelines above never see the compilation.
        //    Trimmed or native AOT builds (read through the analyzer config) make the reflection fallback a warning.
        IncrementalValueProvider<bool> trimmed = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => BuildProperties.IsTrimmedOrAot(options.GlobalOptions))
            .WithTrackingName(TrackingNames.Trimmed);

        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Collect()
            .Combine(jsonIndex)
            .Combine(trimmed)
            .Select(static (pair, _) => CollectDiagnostics(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (production, pair) =>
        {
            if (pair.Left.IsEmpty)
            {
                return;
            }

            var trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
            foreach (SyntaxTree tree in pair.Right.SyntaxTrees)
            {
                trees[tree.FilePath] = tree;
            }

            foreach (DiagnosticInfo diagnostic in pair.Left)
            {
                production.ReportDiagnostic(diagnostic.ToDiagnostic(trees));
            }
        });
    }

    /// <summary>Duplicate-path and reflection-fallback checks over all declarations, plus each declaration's own diagnostics.</summary>
    internal static EquatableArray<DiagnosticInfo> CollectDiagnostics(ImmutableArray<ZNodeParseResult> results, EquatableArray<JsonSerializableEntry> jsonIndex, bool trimmed = false)
    {
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            foreach (ZNodeParseResult result in results)
            {
                diagnostics.AddRange(result.Diagnostics);
                if (result.Spec is not { IsJson: true })
                {
                    // Nothing emitted, or another payload format: no JSON metadata to warn about.
                    continue;
                }

                if (ZNodeModel.Find(jsonIndex, result.Spec.FullyQualifiedName) is null)
                {
                    DiagnosticInfo fallback = DiagnosticInfo.Create(
                        DiagnosticDescriptors.ReflectionJsonFallback,
                        result.AttributeLocation,
                        result.TypeDisplayName,
                        result.Spec.Name.TrimStart('@'));
                    diagnostics.Add(trimmed ? fallback with { Severity = DiagnosticSeverity.Warning } : fallback);
                }
                else if (result.Spec.InitDefaultsProblem is { } problem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InitDefaultsLost, result.AttributeLocation, result.TypeDisplayName, problem));
                }
            }

            foreach (IGrouping<string, ZNodeParseResult> group in results
                .Where(r => r.NormalizedPath is not null)
                .GroupBy(r => r.NormalizedPath!, StringComparer.Ordinal))
            {
                ZNodeParseResult[] claims = group.ToArray();
                if (claims.Length < 2)
                {
                    continue;
                }

                foreach (ZNodeParseResult claim in claims)
                {
                    string others = string.Join("', '", claims.Where(c => !ReferenceEquals(c, claim)).Select(c => c.TypeDisplayName).OrderBy(n => n, StringComparer.Ordinal));
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicatePath, claim.PathLocation, claim.Path ?? string.Empty, claim.TypeDisplayName, others));
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, "(all types)", exception.GetType().Name + ": " + exception.Message));
        }

        diagnostics.Sort(DiagnosticInfo.Compare);
        return diagnostics.Distinct().ToEquatableArray();
    }

    private static void Emit(SourceProductionContext production, string what, Action emit)
    {
        try
        {
            emit();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, what, exception.GetType().Name + ": " + exception.Message));
        }
    }

    /// <summary>The tracking names of the pipeline steps (for incrementality tests).</summary>
    internal static class TrackingNames
    {
        public const string Parse = "ZNodeParse";
        public const string JsonContext = "ZNodeJsonContext";
        public const string JsonIndex = "ZNodeJsonIndex";
        public const string Spec = "ZNodeSpec";
        public const string Model = "ZNodeModel";
        public const string Registration = "ZNodeRegistration";
        public const string Diagnostics = "ZNodeDiagnostics";
        public const string AssemblyName = "ZNodeAssemblyName";
        public const string Trimmed = "ZNodeTrimmed";
    }
}
