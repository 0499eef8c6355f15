using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>The JSON-related parts of a spec: required members, and the init-only members whose defaults must be kept.</summary>
    internal static partial class Parser
    {
        private const string SetsRequiredMembersMetadataName = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";
        private const string JsonConstructorMetadataName = "System.Text.Json.Serialization.JsonConstructorAttribute";

        /// <summary>Bounds the nested types one bound type pulls in for init-only handling.</summary>
        private const int MaxInitTypes = 32;

        /// <summary>
        /// The <c>required</c> members (own and inherited) that the default-value creation must set, as
        /// <c>Name = default!</c>: a missing node serves them as default; a payload missing one faults (System.Text.Json
        /// enforces <c>required</c>). None when the chosen constructor is [SetsRequiredMembers].
        /// </summary>
        private static EquatableArray<string> GetRequiredMembers(INamedTypeSymbol type, IMethodSymbol? constructor)
        {
            if (constructor is not null && constructor.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SetsRequiredMembersMetadataName))
            {
                return EquatableArray<string>.Empty;
            }

            var names = new List<string>();
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true } && seen.Add(member.Name))
                    {
                        names.Add(ConstantFormatter.Escape(member.Name) + " = default!");
                    }
                }
            }

            names.Sort(System.StringComparer.Ordinal);
            return names.ToEquatableArray();
        }

        /// <summary>
        /// The bound type and the nested types reachable through its public properties (directly, as array, collection or
        /// dictionary values) that have init-only properties and can be handled; and the first problem found with a type
        /// that has an init-only member with an initializer but cannot be handled.
        /// </summary>
        private static (EquatableArray<InitTypeSpec> Types, string? Problem) GetInitTypes(INamedTypeSymbol type, Compilation compilation)
        {
            var specs = new List<InitTypeSpec>();
            string? problem = null;
            var queue = new List<INamedTypeSymbol> { type };
            for (int i = 0; i < queue.Count; i++)
            {
                INamedTypeSymbol current = queue[i];
                bool bound = i == 0;
                string? unsupported = GetInitHandlingProblem(current, bound, type, compilation);
                EquatableArray<InitMemberSpec> members = EquatableArray<InitMemberSpec>.Empty;
                if (unsupported is null)
                {
                    members = GetInitMembers(current, type, compilation, out unsupported);
                }

                if (unsupported is null)
                {
                    if (!members.IsEmpty)
                    {
                        specs.Add(new InitTypeSpec(current.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), specs.Count, bound, members));
                    }
                }
                else if (problem is null && HasInitMemberWithInitializer(current))
                {
                    problem = bound ? "it " + unsupported : $"its nested type '{current.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}' {unsupported}";
                }

                foreach (INamedTypeSymbol nested in GetNestedValueTypes(current))
                {
                    if (queue.Count < MaxInitTypes && !queue.Contains(nested, SymbolEqualityComparer.Default))
                    {
                        queue.Add(nested);
                    }
                }
            }

            return (specs.ToEquatableArray(), problem);
        }

        /// <summary>Why the type's init-only members cannot get setters and a creator, or null when they can.</summary>
        private static string? GetInitHandlingProblem(INamedTypeSymbol type, bool bound, INamedTypeSymbol boundType, Compilation compilation)
        {
            if (type.IsValueType)
            {
                return "is a struct";
            }

            if (type.InstanceConstructors.Any(c => c.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == JsonConstructorMetadataName)))
            {
                return "has a [JsonConstructor] constructor";
            }

            if (bound)
            {
                return null;
            }

            if (type.IsAbstract || type.IsGenericType || !compilation.IsSymbolAccessibleWithin(type, boundType))
            {
                return "is abstract, generic or not accessible from the bound type";
            }

            return type.InstanceConstructors.Any(c => c.Parameters.Length == 0) ? null : "has no parameterless constructor";
        }

        /// <summary>
        /// The init-only properties System.Text.Json binds (public, or [JsonInclude]), own and inherited (the most derived
        /// declaration of a name); <paramref name="problem"/> is set when one's type cannot be named from the bound type.
        /// </summary>
        private static EquatableArray<InitMemberSpec> GetInitMembers(INamedTypeSymbol type, INamedTypeSymbol boundType, Compilation compilation, out string? problem)
        {
            problem = null;
            var members = new List<InitMemberSpec>();
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            for (INamedTypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, SetMethod: { IsInitOnly: true } } property || !seen.Add(property.Name))
                    {
                        continue;
                    }

                    if (property.DeclaredAccessibility != Accessibility.Public
                        && !property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonIncludeAttribute"))
                    {
                        continue;
                    }

                    if (!compilation.IsSymbolAccessibleWithin(property.Type, boundType) || !compilation.IsSymbolAccessibleWithin(t, boundType))
                    {
                        problem = $"has the init-only member '{property.Name}' of a type the generated code cannot name";
                        return EquatableArray<InitMemberSpec>.Empty;
                    }

                    // The accessor binds to the setter of the type that declares it.
                    members.Add(new InitMemberSpec(
                        property.Name,
                        t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        property.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
                }
            }

            return members.ToEquatableArray();
        }

        private static bool HasInitMemberWithInitializer(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member is IPropertySymbol { IsStatic: false, SetMethod: { IsInitOnly: true } } property
                        && property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is PropertyDeclarationSyntax { Initializer: not null }))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// The user types that the public properties of <paramref name="type"/> hold: directly, as array or collection
        /// elements, or as dictionary values (types of System.* namespaces are skipped: they are not configuration shapes).
        /// </summary>
        private static IEnumerable<INamedTypeSymbol> GetNestedValueTypes(INamedTypeSymbol type)
        {
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            for (INamedTypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                        && seen.Add(property.Name)
                        && ValueTypeOf(property.Type) is { } value)
                    {
                        yield return value;
                    }
                }
            }
        }

        private static INamedTypeSymbol? ValueTypeOf(ITypeSymbol type)
        {
            type = Unwrap(type);
            if (type is IArrayTypeSymbol array)
            {
                return ValueTypeOf(array.ElementType);
            }

            if (type is not INamedTypeSymbol named || named.SpecialType != SpecialType.None)
            {
                return null;
            }

            if (IsSystemType(named))
            {
                // A collection: its dictionary value or element type.
                INamedTypeSymbol? dictionary = named.AllInterfaces.Add(named).FirstOrDefault(i => i.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>");
                if (dictionary is not null)
                {
                    return ValueTypeOf(dictionary.TypeArguments[1]);
                }

                ITypeSymbol? element = GetElementType(named);
                return element is null || SymbolEqualityComparer.Default.Equals(element, named) ? null : ValueTypeOf(element);
            }

            return named.TypeKind is TypeKind.Class or TypeKind.Struct ? named : null;
        }

        private static bool IsSystemType(INamedTypeSymbol type)
        {
            INamespaceSymbol? ns = type.ContainingNamespace;
            while (ns is { ContainingNamespace.IsGlobalNamespace: false })
            {
                ns = ns.ContainingNamespace;
            }

            return ns is { Name: "System" or "Microsoft" };
        }
    }
}
