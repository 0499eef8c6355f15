using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>
    /// Symbols to models: turns one [ZNode] declaration into a <see cref="ZNodeParseResult"/> (spec plus
    /// diagnostics), and one JsonSerializerContext into its <see cref="JsonSerializableEntry"/> values. Runs inside the
    /// pipeline's transforms, so nothing it returns refers to symbols, syntax or the compilation.
    /// </summary>
    internal static partial class Parser
    {
        private const string ValidationAttributeMetadataName = "System.ComponentModel.DataAnnotations.ValidationAttribute";
        private const string JsonSerializerContextMetadataName = "System.Text.Json.Serialization.JsonSerializerContext";

        private static readonly SymbolDisplayFormat NamespaceFormat = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

        /// <summary>Parses one [ZNode] declaration; never throws (except for cancellation).</summary>
        public static ZNodeParseResult Parse(GeneratorAttributeSyntaxContext context, Action<string>? onParsing, CancellationToken cancellationToken)
        {
            LocationInfo? attributeLocation = null;
            string typeName = context.TargetSymbol?.Name ?? "?";
            try
            {
                attributeLocation = LocationInfo.From(context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(cancellationToken))
                    ?? LocationInfo.From(context.TargetNode);
                typeName = context.TargetSymbol?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) ?? typeName;
                onParsing?.Invoke(typeName);
                return ParseCore(context, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                DiagnosticInfo error = DiagnosticInfo.Create(
                    DiagnosticDescriptors.InternalError,
                    attributeLocation,
                    typeName,
                    exception.GetType().Name + ": " + exception.Message.Replace('\r', ' ').Replace('\n', ' '));
                return new ZNodeParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { error }), typeName, string.Empty, null, null, null, attributeLocation);
            }
        }

        /// <summary>
        /// Reads the <c>[JsonSerializable]</c> attributes of one partial JsonSerializerContext declaration. Contexts the
        /// generated code could not use (not a context, not partial, generic, not reachable from the assembly) give nothing.
        /// </summary>
        public static EquatableArray<JsonSerializableEntry> ParseJsonContext(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                if (context.TargetSymbol is not INamedTypeSymbol contextType
                    || context.TargetNode is not ClassDeclarationSyntax declaration
                    || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
                    || contextType.IsGenericType
                    || contextType.IsFileLocal
                    || !IsReachableFromAssembly(contextType)
                    || context.SemanticModel.Compilation.GetTypeByMetadataName(JsonSerializerContextMetadataName) is not { } jsonContextBase
                    || !DerivesFrom(contextType, jsonContextBase))
                {
                    return EquatableArray<JsonSerializableEntry>.Empty;
                }

                string contextName = contextType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                var entries = new List<JsonSerializableEntry>();
                foreach (AttributeData attribute in context.Attributes)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (attribute.ConstructorArguments.Length != 1
                        || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol { IsGenericType: false, TypeKind: TypeKind.Class or TypeKind.Struct } serializable)
                    {
                        continue;
                    }

                    string? propertyName = null;
                    foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                    {
                        if (named.Key == "TypeInfoPropertyName" && named.Value.Value is string name && name.Length > 0)
                        {
                            propertyName = name;
                        }
                    }

                    entries.Add(new JsonSerializableEntry(
                        serializable.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        contextName,
                        ConstantFormatter.Escape(propertyName ?? serializable.Name)));
                }

                return entries.ToEquatableArray();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A context the generator cannot read is simply not used: the affected types fall back to reflection (ZKTS014).
                return EquatableArray<JsonSerializableEntry>.Empty;
            }
        }

        private static ZNodeParseResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type
                || context.TargetNode is not TypeDeclarationSyntax declaration
                || context.Attributes.IsDefaultOrEmpty)
            {
                return ZNodeParseResult.Skipped;
            }

            AttributeData attribute = context.Attributes[0];

            // [ZNode] on several partial declarations is CS0579 already; only the first one (in declaration order) is parsed,
            // so that the type is generated once.
            AttributeData? first = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute.AttributeClass));
            if (first is not null && !SameApplication(first, attribute))
            {
                return ZNodeParseResult.Skipped;
            }

            // No argument, or a non-constant one: the compiler reports it (CS7036, CS0182); nothing to add.
            if (attribute.AttributeConstructor is null
                || attribute.ConstructorArguments.Length != 1
                || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error
                || attribute.ConstructorArguments[0].Type?.SpecialType != SpecialType.System_String)
            {
                return ZNodeParseResult.Skipped;
            }

            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            LocationInfo? attributeLocation = LocationInfo.From(attributeSyntax) ?? LocationInfo.From(declaration.Identifier.GetLocation());
            LocationInfo? pathLocation = LocationInfo.From(attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault()?.Expression) ?? attributeLocation;

            string? path = attribute.ConstructorArguments[0].Value as string;
            string display = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
            string fullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var diagnostics = new List<DiagnosticInfo>();

            ZNodePathParser.Result parsedPath = ZNodePathParser.Parse(path);
            if (parsedPath.Error is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(parsedPath.Error, pathLocation, [path ?? string.Empty, display, .. parsedPath.ErrorArgs]));
            }

            bool bindable = CheckType(type, declaration, display, attributeLocation, diagnostics);

            Compilation compilation = context.SemanticModel.Compilation;
            EquatableArray<string> constructorArguments = EquatableArray<string>.Empty;
            IMethodSymbol? defaultConstructor = null;
            if (bindable && !TryGetDefaultConstructor(type, out constructorArguments, out defaultConstructor, out string? constructorProblem))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoUsableConstructor, attributeLocation, display, constructorProblem!));
                bindable = false;
            }

            PayloadFormatSpec? payload = bindable ? GetPayloadFormat(attribute, type, compilation, display, attributeLocation, diagnostics) : null;

            cancellationToken.ThrowIfCancellationRequested();
            ZNodeSpec? spec = null;
            if (bindable && payload is not null && parsedPath.Error is null)
            {
                EquatableArray<TemplateParameterSpec> parameters = ZNodePathParser.ToParameterSpecs(parsedPath.Parameters);

                // Init-only defaults are a System.Text.Json matter: another codec creates values its own way.
                (EquatableArray<InitTypeSpec> initTypes, string? initProblem) = payload.Format == PayloadFormat.Json
                    ? GetInitTypes(type, compilation)
                    : (EquatableArray<InitTypeSpec>.Empty, null);
                spec = new ZNodeSpec(
                    FullyQualifiedName: fullName,
                    Name: ConstantFormatter.Escape(type.Name),
                    Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : string.Empty,
                    ContainingTypes: GetContainingTypes(type),
                    Keyword: GetKeyword(type),
                    FileNameHint: GetFileNameHint(type),
                    PathTemplate: path!,
                    Parameters: parameters,
                    DefaultConstructorArguments: constructorArguments,
                    FamilyName: parameters.IsEmpty ? null : type.Name + "Family",
                    FamilyAccessibility: type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                    HidesInheritedZNode: HidesInheritedZNode(type, attribute.AttributeClass, compilation),
                    Strict: payload.Format == PayloadFormat.Json && attribute.NamedArguments.Any(n => n.Key == "Strict" && n.Value.Value is true),
                    Required: attribute.NamedArguments.Any(n => n.Key == "Required" && n.Value.Value is true),
                    RequiredMembers: GetRequiredMembers(type, defaultConstructor),
                    InitTypes: initTypes,
                    InitDefaultsProblem: initProblem,
                    ValidatedTypes: GetValidatedTypes(type, compilation, cancellationToken),
                    Payload: payload);
            }

            return new ZNodeParseResult(
                spec,
                diagnostics.ToEquatableArray(),
                display,
                fullName,
                path,
                parsedPath.Error is null ? parsedPath.NormalizedPath : null,
                pathLocation,
                attributeLocation);
        }

        /// <summary>
        /// True when a base type has an accessible <c>ZNode</c> member, or will get one: a [ZNode] base declared in this
        /// compilation, whose generated member this generator's input cannot see yet.
        /// </summary>
        private static bool HidesInheritedZNode(INamedTypeSymbol type, INamedTypeSymbol? zNodeAttribute, Compilation compilation)
        {
            for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (t.GetMembers("ZNode").Any(m => compilation.IsSymbolAccessibleWithin(m, type))
                    || t.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, zNodeAttribute)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool SameApplication(AttributeData a, AttributeData b)
        {
            SyntaxReference? x = a.ApplicationSyntaxReference;
            SyntaxReference? y = b.ApplicationSyntaxReference;
            return x is null || y is null || (x.SyntaxTree == y.SyntaxTree && x.Span == y.Span);
        }

        /// <summary>Reports generic, abstract/static, inaccessible and non-partial types; true when the type can be bound.</summary>
        private static bool CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, string display, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            bool ok = true;
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsGenericType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, location, display));
                    ok = false;
                    break;
                }
            }

            string? kind = type.IsStatic ? "static" : type.IsAbstract ? "abstract" : type.IsRefLikeType ? "a ref struct" : null;
            if (kind is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AbstractType, location, display, kind));
                ok = false;
            }

            if (GetAccessibilityProblem(type) is { } accessibility)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InaccessibleType, location, display, accessibility));
                ok = false;
            }

            var notPartial = new List<string>();
            foreach (TypeDeclarationSyntax node in declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
            {
                if (!node.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    notPartial.Insert(0, "'" + node.Identifier.ValueText + "'");
                }
            }

            if (notPartial.Count > 0)
            {
                string targets = notPartial.Count == 1
                    ? notPartial[0]
                    : string.Join(", ", notPartial.Take(notPartial.Count - 1)) + " and " + notPartial[notPartial.Count - 1];
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingPartial, location, display, targets));
                ok = false;
            }

            return ok;
        }

        private static string? GetAccessibilityProblem(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                string? problem = t.IsFileLocal ? "file-local"
                    : t.DeclaredAccessibility switch
                    {
                        Accessibility.Private => "private",
                        Accessibility.Protected => "protected",
                        Accessibility.ProtectedAndInternal => "private protected",
                        _ => null,
                    };
                if (problem is not null)
                {
                    return ReferenceEquals(t, type) ? problem : $"nested in the {problem} type '{t.Name}'";
                }
            }

            return null;
        }

        private static bool IsReachableFromAssembly(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Finds how to create the default value: a parameterless constructor (<c>new T()</c>), or a constructor whose
        /// parameters all have defaults (<c>new T()</c> for classes; explicit arguments for structs, where <c>new T()</c>
        /// would bypass it). Any accessibility works: the call is emitted inside the type.
        /// </summary>
        private static bool TryGetDefaultConstructor(INamedTypeSymbol type, out EquatableArray<string> arguments, out IMethodSymbol? constructor, out string? problem)
        {
            arguments = EquatableArray<string>.Empty;
            constructor = null;
            problem = null;
            ImmutableArray<IMethodSymbol> constructors = type.InstanceConstructors;
            IMethodSymbol? parameterless = constructors.FirstOrDefault(c => c.Parameters.Length == 0 && (!type.IsValueType || !c.IsImplicitlyDeclared));
            IMethodSymbol[] allOptional = constructors
                .Where(c => c.Parameters.Length > 0 && c.Parameters.All(p => p.HasExplicitDefaultValue || p.IsParams))
                .ToArray();

            IMethodSymbol? chosen = parameterless;
            bool explicitArguments = false;
            if (chosen is null && allOptional.Length > 0)
            {
                chosen = allOptional[0];
                explicitArguments = type.IsValueType || allOptional.Length > 1;
            }

            if (chosen is null && type.IsValueType)
            {
                // The implicit parameterless struct constructor: all fields zero.
                chosen = constructors.FirstOrDefault(c => c.Parameters.Length == 0);
            }

            if (chosen is null)
            {
                problem = "add a parameterless constructor, or give every parameter of a constructor (e.g. the primary constructor) a default value";
                return false;
            }

            constructor = chosen;
            if (explicitArguments)
            {
                var list = new List<string>();
                foreach (IParameterSymbol parameter in chosen.Parameters.Where(p => !p.IsParams))
                {
                    string? value = ConstantFormatter.FormatDefault(parameter);
                    if (value is null)
                    {
                        problem = $"the default value of parameter '{parameter.Name}' cannot be reproduced; add a parameterless constructor";
                        return false;
                    }

                    list.Add(ConstantFormatter.Escape(parameter.Name) + ": " + value);
                }

                arguments = list.ToEquatableArray();
            }

            return true;
        }

        private static ValidationAttributeSpec? ToAttributeSpec(AttributeData attribute)
        {
            if (attribute.AttributeClass is not { } attributeClass
                || attribute.AttributeConstructor is not { } constructor
                || attributeClass.IsAbstract
                || constructor.Parameters.Length != attribute.ConstructorArguments.Length)
            {
                return null;
            }

            var arguments = new List<string>();
            for (int i = 0; i < constructor.Parameters.Length; i++)
            {
                string? argument = ConstantFormatter.Format(attribute.ConstructorArguments[i], constructor.Parameters[i].Type);
                if (argument is null)
                {
                    return null;
                }

                arguments.Add(argument);
            }

            var named = new List<NamedArgumentSpec>();
            foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
            {
                ITypeSymbol? memberType = FindMemberType(attributeClass, pair.Key);
                string? value = ConstantFormatter.Format(pair.Value, memberType);
                if (value is null)
                {
                    return null;
                }

                named.Add(new NamedArgumentSpec(ConstantFormatter.Escape(pair.Key), value));
            }

            return new ValidationAttributeSpec(
                attributeClass.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                arguments.ToEquatableArray(),
                named.ToEquatableArray());
        }

        private static ITypeSymbol? FindMemberType(INamedTypeSymbol type, string name)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                foreach (ISymbol member in t.GetMembers(name))
                {
                    switch (member)
                    {
                        case IPropertySymbol property:
                            return property.Type;
                        case IFieldSymbol field:
                            return field.Type;
                    }
                }
            }

            return null;
        }

        private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, baseType))
                {
                    return true;
                }
            }

            return false;
        }

        private static EquatableArray<ContainingTypeSpec> GetContainingTypes(INamedTypeSymbol type)
        {
            var list = new List<ContainingTypeSpec>();
            for (INamedTypeSymbol? t = type.ContainingType; t is not null; t = t.ContainingType)
            {
                list.Insert(0, new ContainingTypeSpec(GetKeyword(t), ConstantFormatter.Escape(t.Name)));
            }

            return list.ToEquatableArray();
        }

        private static string GetKeyword(INamedTypeSymbol type) => type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };

        /// <summary>Namespace, '.', containing types joined by '+', the name: unique per type, and a valid hint name.</summary>
        private static string GetFileNameHint(INamedTypeSymbol type)
        {
            string name = type.Name;
            for (INamedTypeSymbol? t = type.ContainingType; t is not null; t = t.ContainingType)
            {
                name = t.Name + "+" + name;
            }

            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            {
                name = ns.Name + "." + name;
            }

            var builder = new System.Text.StringBuilder(name.Length);
            foreach (char c in name)
            {
                builder.Append(char.IsLetterOrDigit(c) || c is '.' or '+' or '_' or '-' ? c : '_');
            }

            return builder.ToString();
        }
    }
}
