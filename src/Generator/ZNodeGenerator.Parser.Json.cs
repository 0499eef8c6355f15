using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>The JSON-related parts of a spec: required members, init-only members and whether their defaults can be kept.</summary>
    internal static partial class Parser
    {
        private const string SetsRequiredMembersMetadataName = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";
        private const string JsonConstructorMetadataName = "System.Text.Json.Serialization.JsonConstructorAttribute";

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

        /// <summary>Instance init-only properties, own and inherited (the most derived declaration of a name), for classes only.</summary>
        private static EquatableArray<InitMemberSpec> GetInitMembers(INamedTypeSymbol type)
        {
            if (type.IsValueType || GetInitDefaultsProblem(type) is not null)
            {
                return EquatableArray<InitMemberSpec>.Empty;
            }

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

                    // An override's setter is found on the type that declares it; the accessor binds to that method.
                    members.Add(new InitMemberSpec(
                        property.Name,
                        t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        property.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
                }
            }

            return members.ToEquatableArray();
        }

        /// <summary>
        /// Why the initializer defaults of init-only members cannot be kept under a JsonSerializerContext, or null (when they
        /// can, or when no init-only member has an initializer).
        /// </summary>
        private static string? GetInitDefaultsProblem(INamedTypeSymbol type)
        {
            if (!HasInitMemberWithInitializer(type))
            {
                return null;
            }

            if (type.IsValueType)
            {
                return "it is a struct";
            }

            return type.InstanceConstructors.Any(c => c.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == JsonConstructorMetadataName))
                ? "it has a [JsonConstructor] constructor"
                : null;
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
    }
}
