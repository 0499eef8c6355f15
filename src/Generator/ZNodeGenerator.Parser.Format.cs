using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <content>The payload format: [ZNode(Format = ...)] or [ZNode(Codec = typeof(...))], checked against the type.</content>
    internal static partial class Parser
    {
        private const string CodecInterfaceMetadataName = "ZkTypedState.IZNodeCodec`1";
        private const string ParsableMetadataName = "System.IParsable`1";

        /// <summary>ZNodeFormat.Text's value (ZNodeFormat.Json is 0).</summary>
        private const int TextFormat = 1;

        /// <summary>
        /// Reads the payload format of a declaration: <see cref="PayloadFormat.Json"/> unless Format or Codec say otherwise.
        /// Reports ZKTS017-ZKTS020; returns null (nothing emitted) when the format cannot be used.
        /// </summary>
        private static PayloadFormatSpec? GetPayloadFormat(AttributeData attribute, INamedTypeSymbol type, Compilation compilation, string display, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            int format = 0;
            ITypeSymbol? codec = null;
            bool codecGiven = false;
            bool strict = false;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Format" when named.Value.Value is int value:
                        format = value;
                        break;
                    case "Codec":
                        codecGiven = !named.Value.IsNull;
                        codec = named.Value.Value as ITypeSymbol;
                        break;
                    case "Strict" when named.Value.Value is true:
                        strict = true;
                        break;
                }
            }

            if (codecGiven && format != 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormatAndCodec, location, display));
                return null;
            }

            PayloadFormatSpec? result;
            if (codecGiven)
            {
                result = GetCodec(codec, type, compilation, display, location, diagnostics);
            }
            else if (format == TextFormat)
            {
                result = Implements(type, compilation.GetTypeByMetadataName(ParsableMetadataName), type)
                    ? new PayloadFormatSpec(PayloadFormat.Text, null)
                    : Fail(DiagnosticInfo.Create(DiagnosticDescriptors.UnusableFormat, location, display, $"Format = ZNodeFormat.Text parses the node's text with IParsable<{type.Name}>, which it does not implement: implement IParsable<{type.Name}> (static Parse and TryParse taking an IFormatProvider) and make ToString() write what Parse reads, or use Format = ZNodeFormat.Json or a Codec"), diagnostics);
            }
            else if (format == 0)
            {
                result = new PayloadFormatSpec(PayloadFormat.Json, null);
            }
            else
            {
                // An undefined ZNodeFormat value (a cast): not a format the runtime knows.
                result = Fail(DiagnosticInfo.Create(DiagnosticDescriptors.UnusableFormat, location, display, $"Format = {format} is not a ZNodeFormat value: use ZNodeFormat.Json or ZNodeFormat.Text, or a Codec"), diagnostics);
            }

            if (result is { Format: not PayloadFormat.Json } && strict)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StrictWithoutJson, location, display));
            }

            return result;
        }

        private static PayloadFormatSpec? GetCodec(ITypeSymbol? codec, INamedTypeSymbol type, Compilation compilation, string display, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            string codecName = codec?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) ?? "?";
            string? problem = codec switch
            {
                null or IErrorTypeSymbol => null, // the compiler reports the bad typeof
                INamedTypeSymbol { TypeKind: not TypeKind.Class } => "it is not a class",
                INamedTypeSymbol { IsAbstract: true } or INamedTypeSymbol { IsStatic: true } => "it is abstract or static",
                INamedTypeSymbol { IsUnboundGenericType: true } => "it is an open generic type",
                INamedTypeSymbol named when !Implements(named, compilation.GetTypeByMetadataName(CodecInterfaceMetadataName), type)
                    => $"it does not implement IZNodeCodec<{type.Name}>",
                INamedTypeSymbol named when !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public)
                    => "it has no public parameterless constructor",
                // Generated code creates it inside the bound type, so a private nested codec is fine.
                INamedTypeSymbol named when !compilation.IsSymbolAccessibleWithin(named, type)
                    || !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && compilation.IsSymbolAccessibleWithin(c, type))
                    => "it is not accessible from the bound type",
                _ => null,
            };

            if (codec is null or IErrorTypeSymbol)
            {
                return null;
            }

            if (problem is not null)
            {
                return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidCodec, location, codecName, display, problem, type.Name), diagnostics);
            }

            return new PayloadFormatSpec(PayloadFormat.Codec, codec.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }

        /// <summary>True when <paramref name="candidate"/> implements <paramref name="openInterface"/> closed over <paramref name="argument"/>.</summary>
        private static bool Implements(INamedTypeSymbol candidate, INamedTypeSymbol? openInterface, ITypeSymbol argument) =>
            openInterface is not null && candidate.AllInterfaces.Any(i =>
                SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, openInterface)
                && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], argument));

        private static PayloadFormatSpec? Fail(DiagnosticInfo diagnostic, List<DiagnosticInfo> diagnostics)
        {
            diagnostics.Add(diagnostic);
            return null;
        }
    }
}
