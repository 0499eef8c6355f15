using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>
    /// The validation part of a spec, with the Options validation generator's rules: DataAnnotations attributes on
    /// members, <c>IValidatableObject</c>, and nested objects through <c>[ValidateObjectMembers]</c> and
    /// <c>[ValidateEnumeratedItems]</c> (Microsoft.Extensions.Options), validated by generated code, never reflection.
    /// </summary>
    internal static partial class Parser
    {
        private const string ValidatableObjectMetadataName = "System.ComponentModel.DataAnnotations.IValidatableObject";
        private const string ValidateObjectMembersMetadataName = "Microsoft.Extensions.Options.ValidateObjectMembersAttribute";
        private const string ValidateEnumeratedItemsMetadataName = "Microsoft.Extensions.Options.ValidateEnumeratedItemsAttribute";

        /// <summary>Bounds the nested types one bound type pulls in (a deep object graph is not a configuration value).</summary>
        private const int MaxValidatedTypes = 32;

        /// <summary>The bound type ([0]) and every nested type reached, or empty when nothing at all is validated.</summary>
        private static EquatableArray<ValidatedTypeSpec> GetValidatedTypes(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            INamedTypeSymbol? validationAttribute = compilation.GetTypeByMetadataName(ValidationAttributeMetadataName);
            INamedTypeSymbol? validatable = compilation.GetTypeByMetadataName(ValidatableObjectMetadataName);
            if (validationAttribute is null)
            {
                return EquatableArray<ValidatedTypeSpec>.Empty;
            }

            var types = new List<ITypeSymbol> { type };
            var specs = new List<ValidatedTypeSpec>();
            bool anything = false;
            for (int i = 0; i < types.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ITypeSymbol current = types[i];
                EquatableArray<ValidatedMemberSpec> members = GetValidatedMembers(current, type, compilation, validationAttribute, types, cancellationToken);
                bool isValidatable = validatable is not null && current.AllInterfaces.Contains(validatable, SymbolEqualityComparer.Default);
                anything |= !members.IsEmpty || isValidatable;
                specs.Add(new ValidatedTypeSpec(
                    current.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                    current.Name,
                    members,
                    isValidatable));
            }

            return anything ? specs.ToEquatableArray() : EquatableArray<ValidatedTypeSpec>.Empty;
        }

        /// <summary>
        /// Properties and fields (own and inherited, readable from the bound type) with validation attributes or nested
        /// validation, base types first. A member hidden or overridden in a derived type is taken from the most derived
        /// declaration only. Nested types are appended to <paramref name="types"/>.
        /// </summary>
        private static EquatableArray<ValidatedMemberSpec> GetValidatedMembers(
            ITypeSymbol type,
            INamedTypeSymbol boundType,
            Compilation compilation,
            INamedTypeSymbol validationAttribute,
            List<ITypeSymbol> types,
            CancellationToken cancellationToken)
        {
            var levels = new List<List<ValidatedMemberSpec>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (ITypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var level = new List<ValidatedMemberSpec>();
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member.IsStatic || member.IsImplicitlyDeclared || member is not (IPropertySymbol or IFieldSymbol))
                    {
                        continue;
                    }

                    if (member is IPropertySymbol { IsIndexer: true } || !seen.Add(member.Name))
                    {
                        continue;
                    }

                    ISymbol? reader = member is IPropertySymbol property ? property.GetMethod : member;
                    if (reader is null || (member is IFieldSymbol { IsConst: true }) || !compilation.IsSymbolAccessibleWithin(reader, boundType))
                    {
                        continue;
                    }

                    var attributes = new List<ValidationAttributeSpec>();
                    int nested = -1;
                    bool enumerated = false;
                    ITypeSymbol memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
                    foreach (AttributeData attribute in member.GetAttributes())
                    {
                        string? name = attribute.AttributeClass?.ToDisplayString();
                        if (name == ValidateObjectMembersMetadataName && nested < 0)
                        {
                            nested = AddNestedType(Unwrap(memberType), boundType, compilation, types);
                        }
                        else if (name == ValidateEnumeratedItemsMetadataName && nested < 0 && GetElementType(memberType) is { } element)
                        {
                            nested = AddNestedType(Unwrap(element), boundType, compilation, types);
                            enumerated = nested >= 0;
                        }
                        else if (attribute.AttributeClass is { } attributeClass
                            && DerivesFrom(attributeClass, validationAttribute)
                            && ToAttributeSpec(attribute) is { } spec)
                        {
                            attributes.Add(spec);
                        }
                    }

                    if (attributes.Count > 0 || nested >= 0)
                    {
                        level.Add(new ValidatedMemberSpec(member.Name, ConstantFormatter.Escape(member.Name), attributes.ToEquatableArray(), nested, enumerated));
                    }
                }

                levels.Add(level);
            }

            levels.Reverse();
            return levels.SelectMany(l => l).ToEquatableArray();
        }

        /// <summary>The index of <paramref name="nested"/> in <paramref name="types"/> (added if new), or -1 when it cannot be named or the bound is reached.</summary>
        private static int AddNestedType(ITypeSymbol nested, INamedTypeSymbol boundType, Compilation compilation, List<ITypeSymbol> types)
        {
            if (nested is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named
                || named.SpecialType != SpecialType.None
                || !compilation.IsSymbolAccessibleWithin(named, boundType))
            {
                return -1;
            }

            int index = types.FindIndex(t => SymbolEqualityComparer.Default.Equals(t, named));
            if (index >= 0)
            {
                return index;
            }

            if (types.Count >= MaxValidatedTypes)
            {
                return -1;
            }

            types.Add(named);
            return types.Count - 1;
        }

        /// <summary>Nullable&lt;T&gt; to T (the generated code reads the value with a pattern).</summary>
        private static ITypeSymbol Unwrap(ITypeSymbol type)
            => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

        /// <summary>The element type of an array or IEnumerable&lt;T&gt; (not string), or null.</summary>
        private static ITypeSymbol? GetElementType(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
            {
                return array.ElementType;
            }

            if (type.SpecialType == SpecialType.System_String)
            {
                return null;
            }

            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } self)
            {
                return self.TypeArguments[0];
            }

            INamedTypeSymbol? enumerable = type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T);
            return enumerable?.TypeArguments[0];
        }
    }
}
