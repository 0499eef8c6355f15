using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ZkTypedState.Generator.Helpers;

/// <summary>
/// Renders attribute arguments and parameter default values as C# expressions of exactly the original type
/// (literal suffixes, casts), so generated code binds to the same constructor overload. Invariant culture throughout.
/// Returns null for values it cannot render (e.g. a constant of an erroneous type).
/// </summary>
internal static class ConstantFormatter
{
    /// <summary>Fully qualified type names, with <c>?</c> on annotated reference types.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Renders an attribute argument, converted to <paramref name="target"/> when its own type differs.</summary>
    public static string? Format(TypedConstant constant, ITypeSymbol? target)
    {
        if (constant.Kind == TypedConstantKind.Error)
        {
            return null;
        }

        if (constant.IsNull)
        {
            return FormatNull(target ?? constant.Type);
        }

        string? expression = constant.Kind switch
        {
            TypedConstantKind.Primitive => FormatPrimitive(constant.Value, constant.Type),
            TypedConstantKind.Enum => FormatEnum(constant.Value, constant.Type),
            TypedConstantKind.Type => FormatTypeOf(constant.Value as ITypeSymbol),
            TypedConstantKind.Array => FormatArray(constant),
            _ => null,
        };

        return expression is null ? null : ConvertTo(expression, constant.Type, target);
    }

    /// <summary>Renders a parameter's explicit default value.</summary>
    public static string? FormatDefault(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        object? value = parameter.ExplicitDefaultValue;
        ITypeSymbol type = parameter.Type;
        if (value is null)
        {
            return type.IsValueType && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T ? "default" : FormatNull(type);
        }

        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T && type is INamedTypeSymbol { TypeArguments.Length: 1 } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.TypeKind == TypeKind.Enum ? FormatEnum(value, type) : FormatPrimitive(value, type);
    }

    private static string FormatNull(ITypeSymbol? target)
    {
        if (target is null)
        {
            return "null";
        }

        string name = target.ToDisplayString(TypeFormat);
        return target.IsReferenceType && target.NullableAnnotation != NullableAnnotation.Annotated ? $"({name})null!" : $"({name})null";
    }

    private static string? ConvertTo(string expression, ITypeSymbol? type, ITypeSymbol? target)
    {
        if (target is null || type is null || SymbolEqualityComparer.Default.Equals(type, target))
        {
            return expression;
        }

        return $"({target.ToDisplayString(TypeFormat)}){Parenthesize(expression)}";
    }

    private static string Parenthesize(string expression)
        => expression.StartsWith("-", StringComparison.Ordinal) || expression.StartsWith("+", StringComparison.Ordinal) ? "(" + expression + ")" : expression;

    private static string? FormatPrimitive(object? value, ITypeSymbol? type)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return value switch
        {
            string s => SymbolDisplay.FormatLiteral(s, quote: true),
            char ch => SymbolDisplay.FormatLiteral(ch, quote: true),
            bool b => b ? "true" : "false",
            int i => i.ToString(c),
            long l => l.ToString(c) + "L",
            uint u => u.ToString(c) + "U",
            ulong ul => ul.ToString(c) + "UL",
            short sh => "(short)" + Parenthesize(sh.ToString(c)),
            ushort us => "(ushort)" + us.ToString(c),
            byte by => "(byte)" + by.ToString(c),
            sbyte sb => "(sbyte)" + Parenthesize(sb.ToString(c)),
            float f => float.IsNaN(f) ? "float.NaN"
                : float.IsPositiveInfinity(f) ? "float.PositiveInfinity"
                : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
                : f.ToString("R", c) + "F",
            double d => double.IsNaN(d) ? "double.NaN"
                : double.IsPositiveInfinity(d) ? "double.PositiveInfinity"
                : double.IsNegativeInfinity(d) ? "double.NegativeInfinity"
                : d.ToString("R", c) + "D",
            decimal m => m.ToString(c) + "M",
            _ => null,
        };
    }

    private static string? FormatEnum(object? value, ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType || value is null)
        {
            return null;
        }

        string typeName = enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        IFieldSymbol[] matches = enumType.GetMembers().OfType<IFieldSymbol>()
            .Where(f => f.HasConstantValue && Equals(f.ConstantValue, value))
            .ToArray();
        if (matches.Length == 1)
        {
            return typeName + "." + Escape(matches[0].Name);
        }

        string? underlying = FormatPrimitive(value, enumType.EnumUnderlyingType);
        return underlying is null ? null : $"({typeName})({underlying})";
    }

    private static string? FormatTypeOf(ITypeSymbol? type)
    {
        if (type is null || type.TypeKind == TypeKind.Error)
        {
            return null;
        }

        if (type is INamedTypeSymbol { IsUnboundGenericType: true } unbound)
        {
            string container = unbound.ContainingType is { } containing
                ? containing.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
                : unbound.ContainingNamespace.IsGlobalNamespace ? "global::" : unbound.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            string separator = container.EndsWith("::", StringComparison.Ordinal) ? string.Empty : ".";
            return $"typeof({container}{separator}{Escape(unbound.Name)}<{new string(',', unbound.Arity - 1)}>)";
        }

        return $"typeof({type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})";
    }

    private static string? FormatArray(TypedConstant constant)
    {
        if (constant.Type is not IArrayTypeSymbol arrayType)
        {
            return null;
        }

        var elements = new string[constant.Values.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            // Elements convert implicitly to the element type; only a null needs no help either.
            TypedConstant value = constant.Values[i];
            string? element = value.IsNull ? "null" : Format(value, target: null);
            if (element is null)
            {
                return null;
            }

            elements[i] = element;
        }

        string elementType = arrayType.ElementType.ToDisplayString(TypeFormat);
        return elements.Length == 0 ? $"new {elementType}[0]" : $"new {elementType}[] {{ {string.Join(", ", elements)} }}";
    }

    /// <summary>Escapes a keyword used as an identifier with '@'.</summary>
    public static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
}
