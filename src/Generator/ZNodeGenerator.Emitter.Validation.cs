using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>
    /// The generated validator: DataAnnotations attributes instantiated in code, nested objects and enumerated items
    /// ([ValidateObjectMembers]/[ValidateEnumeratedItems]) validated by one method per type, and IValidatableObject run
    /// after a value's members pass (as Validator.TryValidateObject does). No reflection, so trim- and AOT-safe.
    /// </summary>
    internal static partial class Emitter
    {
        private const string Annotations = "global::System.ComponentModel.DataAnnotations";
        private const string ErrorList = "global::System.Collections.Generic.List<string>";

        private static void WriteValidation(SourceWriter writer, ZNodeSpec spec)
        {
            var fields = new List<(string Field, ValidationAttributeSpec Attribute)>();

            writer.WriteLine("/// <summary>Validates a value with its DataAnnotations attributes, nested objects and IValidatableObject, without reflection; empty when valid.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static global::System.Collections.Generic.IReadOnlyList<string> {ValidateMethodName}({spec.FullyQualifiedName} value)");
            writer.OpenBlock();
            writer.WriteLine($"var errors = new {ErrorList}();");
            writer.WriteLine($"{ValidateMethodName}0(value, string.Empty, errors);");
            writer.WriteLine("return errors.Count == 0 ? global::System.Array.Empty<string>() : errors;");
            writer.CloseBlock();

            for (int i = 0; i < spec.ValidatedTypes.Count; i++)
            {
                writer.WriteLine();
                WriteTypeValidation(writer, spec.ValidatedTypes[i], i, fields);
            }

            writer.WriteLine();
            writer.WriteLine("/// <summary>The validation attributes of the members, created once with the arguments they were declared with.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static class {AttributesClassName}");
            writer.OpenBlock();
            foreach ((string field, ValidationAttributeSpec attribute) in fields)
            {
                string creation = $"new {attribute.TypeFullyQualifiedName}({string.Join(", ", attribute.ConstructorArguments)})";
                if (!attribute.NamedArguments.IsEmpty)
                {
                    creation += " { " + string.Join(", ", attribute.NamedArguments.Select(n => n.Name + " = " + n.Expression)) + " }";
                }

                writer.WriteLine($"internal static readonly {attribute.TypeFullyQualifiedName} {field} = {creation};");
            }

            writer.CloseBlock();
        }

        private static void WriteTypeValidation(SourceWriter writer, ValidatedTypeSpec type, int index, List<(string Field, ValidationAttributeSpec Attribute)> fields)
        {
            string prefixDoc = index == 0 ? "the bound type" : "a nested value";
            writer.WriteLine($"/// <summary>Validates {prefixDoc} (<c>{XmlEscape(type.DisplayName)}</c>); member names in messages are prefixed with <paramref name=\"prefix\"/>.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static void {ValidateMethodName}{index.ToString(CultureInfo.InvariantCulture)}({type.FullyQualifiedName} value, string prefix, {ErrorList} errors)");
            writer.OpenBlock();
            bool attributes = type.Members.Any(m => !m.Attributes.IsEmpty);
            if (type.IsValidatableObject)
            {
                writer.WriteLine("int before = errors.Count;");
            }

            if (attributes || type.IsValidatableObject)
            {
                writer.WriteLine("// The display-name overload: the other constructors discover the display name by reflection (not trim-safe).");
                writer.WriteLine($"var context = new {Annotations}.ValidationContext(value, {SymbolDisplay.FormatLiteral(type.DisplayName, quote: true)}, null, null);");
            }

            if (attributes)
            {
                writer.WriteLine($"{Annotations}.ValidationResult? result;");
            }

            foreach (ValidatedMemberSpec member in type.Members)
            {
                string name = SymbolDisplay.FormatLiteral(member.Name, quote: true);
                if (!member.Attributes.IsEmpty)
                {
                    writer.WriteLine();
                    writer.WriteLine($"context.MemberName = {name};");
                    writer.WriteLine($"context.DisplayName = prefix + {name};");
                }

                for (int i = 0; i < member.Attributes.Count; i++)
                {
                    string field = $"T{index.ToString(CultureInfo.InvariantCulture)}_{member.Name}_{i.ToString(CultureInfo.InvariantCulture)}";
                    fields.Add((field, member.Attributes[i]));
                    writer.WriteLine($"result = {AttributesClassName}.{field}.GetValidationResult(value.{member.Identifier}, context);");
                    writer.WriteLine("if (result is not null)");
                    writer.OpenBlock();
                    writer.WriteLine($"errors.Add(result.ErrorMessage ?? \"The field \" + prefix + {SymbolDisplay.FormatLiteral(member.Name + " is invalid.", quote: true)});");
                    writer.CloseBlock();
                }

                if (member.NestedType < 0)
                {
                    continue;
                }

                string method = ValidateMethodName + member.NestedType.ToString(CultureInfo.InvariantCulture);
                writer.WriteLine();
                if (member.Enumerated)
                {
                    writer.WriteLine($"if (value.{member.Identifier} is {{ }} items_{member.Name})");
                    writer.OpenBlock();
                    writer.WriteLine("int i = 0;");
                    writer.WriteLine($"foreach (var item in items_{member.Name})");
                    writer.OpenBlock();
                    writer.WriteLine("if (item is { } nested)");
                    writer.OpenBlock();
                    writer.WriteLine($"{method}(nested, prefix + {SymbolDisplay.FormatLiteral(member.Name + "[", quote: true)} + i.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \"].\", errors);");
                    writer.CloseBlock();
                    writer.WriteLine();
                    writer.WriteLine("i++;");
                    writer.CloseBlock();
                    writer.CloseBlock();
                }
                else
                {
                    writer.WriteLine($"if (value.{member.Identifier} is {{ }} nested_{member.Name})");
                    writer.OpenBlock();
                    writer.WriteLine($"{method}(nested_{member.Name}, prefix + {SymbolDisplay.FormatLiteral(member.Name + ".", quote: true)}, errors);");
                    writer.CloseBlock();
                }
            }

            if (type.IsValidatableObject)
            {
                writer.WriteLine();
                writer.WriteLine("// IValidatableObject runs once the members are valid, as Validator.TryValidateObject does.");
                writer.WriteLine("if (errors.Count == before)");
                writer.OpenBlock();
                writer.WriteLine("context.MemberName = null;");
                writer.WriteLine($"context.DisplayName = {SymbolDisplay.FormatLiteral(type.DisplayName, quote: true)};");
                writer.WriteLine($"foreach ({Annotations}.ValidationResult? own in (({Annotations}.IValidatableObject)value).Validate(context))");
                writer.OpenBlock();
                writer.WriteLine($"if (own is not null && own != {Annotations}.ValidationResult.Success)");
                writer.OpenBlock();
                writer.WriteLine($"errors.Add((prefix.Length == 0 ? string.Empty : prefix.TrimEnd('.') + \": \") + (own.ErrorMessage ?? {SymbolDisplay.FormatLiteral("The value of " + type.DisplayName + " is invalid.", quote: true)}));");
                writer.CloseBlock();
                writer.CloseBlock();
                writer.CloseBlock();
            }
            writer.CloseBlock();
        }
    }
}
