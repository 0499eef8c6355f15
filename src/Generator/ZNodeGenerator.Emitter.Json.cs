using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>
    /// The JSON parts of a type's file: the default-value expression and, under a JsonSerializerContext, the metadata
    /// modifier that keeps init-only members' initializer defaults when a payload omits them.
    /// </summary>
    /// <remarks>
    /// System.Text.Json's source generator sets init-only properties in an object initializer of its own creator, passing
    /// <c>default</c> for members missing from the JSON, so <c>{"Limit":5}</c> would reset <c>Currency = "EUR"</c> to null
    /// (the reflection path keeps it). The modifier gives the metadata a creator that runs the type's own constructor and
    /// initializers, and real setters for the init-only properties (UnsafeAccessor: reflection-free, native-AOT-safe).
    /// </remarks>
    internal static partial class Emitter
    {
        private const string InitSettersClassName = "__ZkTypedState_InitSetters";
        private const string Metadata = "global::System.Text.Json.Serialization.Metadata";

        /// <summary>True when the type's file carries the init-defaults modifier (a context declares it and it has init-only members).</summary>
        public static bool UsesInitSetters(ZNodeModel model) => model.Json is not null && !model.Spec.InitMembers.IsEmpty;

        /// <summary><c>new T(args)</c>, with <c>required</c> members set to default when the constructor does not set them.</summary>
        public static string CreateDefaultExpression(ZNodeSpec spec)
        {
            string creation = $"new {spec.FullyQualifiedName}({string.Join(", ", spec.DefaultConstructorArguments)})";
            return spec.RequiredMembers.IsEmpty ? creation : creation + " { " + string.Join(", ", spec.RequiredMembers) + " }";
        }

        private static void WriteKeepInitializers(SourceWriter writer, ZNodeSpec spec)
        {
            string type = spec.FullyQualifiedName;
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Makes the context's metadata create values with the type's own constructor and initializers and set init-only");
            writer.WriteLine("/// members through real setters, so that members missing from a payload keep their defaults. Leaves the metadata");
            writer.WriteLine("/// alone when a constructor parameter is not an init-only member (System.Text.Json's constructor path then applies).");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static void {KeepInitializersMethodName}({Metadata}.JsonTypeInfo info)");
            writer.OpenBlock();
            writer.WriteLine($"if (info.Type != typeof({type}) || info.Kind != {Metadata}.JsonTypeInfoKind.Object)");
            writer.OpenBlock();
            writer.WriteLine("return;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine($"var setters = new global::System.Collections.Generic.List<({Metadata}.JsonPropertyInfo Property, global::System.Action<object, object?> Set)>();");
            writer.WriteLine($"foreach ({Metadata}.JsonPropertyInfo property in info.Properties)");
            writer.OpenBlock();
            writer.WriteLine("if (property.AssociatedParameter is not { } parameter)");
            writer.OpenBlock();
            writer.WriteLine("continue;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("global::System.Action<object, object?>? set = parameter.Name switch");
            writer.OpenBlock();
            foreach (InitMemberSpec member in spec.InitMembers)
            {
                writer.WriteLine($"{Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(member.Name, quote: true)} => static (target, value) => {InitSettersClassName}.Set_{member.Name}(({member.DeclaringTypeFullyQualifiedName})target, ({member.PropertyTypeFullyQualifiedName})value!),");
            }

            writer.WriteLine("_ => null,");
            writer.CloseBlock(";");
            writer.WriteLine("if (set is null)");
            writer.OpenBlock();
            writer.WriteLine("return;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("setters.Add((property, set));");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("foreach ((" + Metadata + ".JsonPropertyInfo property, global::System.Action<object, object?> set) in setters)");
            writer.OpenBlock();
            writer.WriteLine("property.Set = set;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine($"(({Metadata}.JsonTypeInfo<{type}>)info).CreateObject = static () => {CreateDefaultExpression(spec)};");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <summary>The init-only setters, reached without reflection.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static class {InitSettersClassName}");
            writer.OpenBlock();
            bool first = true;
            foreach (InitMemberSpec member in spec.InitMembers)
            {
                if (!first)
                {
                    writer.WriteLine();
                }

                first = false;
                writer.WriteLine($"[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = {Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral("set_" + member.Name, quote: true)})]");
                writer.WriteLine($"internal static extern void Set_{member.Name}({member.DeclaringTypeFullyQualifiedName} target, {member.PropertyTypeFullyQualifiedName} value);");
            }

            writer.CloseBlock();
        }
    }
}
