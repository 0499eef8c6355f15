using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
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
    /// (the reflection path keeps it). The modifier gives the metadata of the bound type, and of the nested classes it
    /// holds, a creator that runs the type's own constructor and initializers, and real setters for the init-only
    /// properties (UnsafeAccessor: reflection-free, native-AOT-safe).
    /// </remarks>
    internal static partial class Emitter
    {
        private const string InitSettersClassName = "__ZkTypedState_InitSetters";
        private const string Metadata = "global::System.Text.Json.Serialization.Metadata";

        /// <summary>True when the type's file carries the init-defaults modifier (a context declares it, and it or a nested type has init-only members).</summary>
        public static bool UsesInitSetters(ZNodeModel model) => model.Json is not null && !model.Spec.InitTypes.IsEmpty;

        /// <summary><c>new T(args)</c>, with <c>required</c> members set to default when the constructor does not set them.</summary>
        public static string CreateDefaultExpression(ZNodeSpec spec)
        {
            string creation = $"new {spec.FullyQualifiedName}({string.Join(", ", spec.DefaultConstructorArguments)})";
            return spec.RequiredMembers.IsEmpty ? creation : creation + " { " + string.Join(", ", spec.RequiredMembers) + " }";
        }

        private static void WriteKeepInitializers(SourceWriter writer, ZNodeSpec spec)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Makes the context's metadata create values with their own constructors and initializers and set init-only");
            writer.WriteLine("/// members through real setters, so that members missing from a payload keep their defaults (for the bound type and");
            writer.WriteLine("/// the nested classes it holds). A type with a real constructor parameter keeps System.Text.Json's constructor path.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static void {KeepInitializersMethodName}({Metadata}.JsonTypeInfo info)");
            writer.OpenBlock();
            for (int i = 0; i < spec.InitTypes.Count; i++)
            {
                InitTypeSpec type = spec.InitTypes[i];
                writer.WriteLine($"{(i == 0 ? "if" : "else if")} (info.Type == typeof({type.FullyQualifiedName}) && global::ZkTypedState.ZNodeJson.UseInitSetters(info, static name => name switch");
                writer.OpenBlock();
                foreach (InitMemberSpec member in type.Members)
                {
                    writer.WriteLine($"{SymbolDisplay.FormatLiteral(member.Name, quote: true)} => static (target, value) => {InitSettersClassName}.{SetterName(type, member)}(({member.DeclaringTypeFullyQualifiedName})target, ({member.PropertyTypeFullyQualifiedName})value!),");
                }

                writer.WriteLine("_ => null,");
                writer.CloseBlock("))");
                writer.OpenBlock();
                string creation = type.IsBoundType ? CreateDefaultExpression(spec) : $"{InitSettersClassName}.{CreatorName(type)}()";
                writer.WriteLine($"(({Metadata}.JsonTypeInfo<{type.FullyQualifiedName}>)info).CreateObject = static () => {creation};");
                writer.CloseBlock();
            }

            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <summary>The init-only setters (and nested types' constructors), reached without reflection.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"private static class {InitSettersClassName}");
            writer.OpenBlock();
            bool first = true;
            foreach (InitTypeSpec type in spec.InitTypes)
            {
                if (!type.IsBoundType)
                {
                    Separate(writer, ref first);
                    writer.WriteLine("[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.Constructor)]");
                    writer.WriteLine($"internal static extern {type.FullyQualifiedName} {CreatorName(type)}();");
                }

                foreach (InitMemberSpec member in type.Members)
                {
                    Separate(writer, ref first);
                    writer.WriteLine($"[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = {SymbolDisplay.FormatLiteral("set_" + member.Name, quote: true)})]");
                    writer.WriteLine($"internal static extern void {SetterName(type, member)}({member.DeclaringTypeFullyQualifiedName} target, {member.PropertyTypeFullyQualifiedName} value);");
                }
            }

            writer.CloseBlock();
        }

        private static string SetterName(InitTypeSpec type, InitMemberSpec member)
            => (type.IsBoundType ? "Set_" : "Set" + type.Index.ToString(CultureInfo.InvariantCulture) + "_") + member.Name;

        private static string CreatorName(InitTypeSpec type) => "New" + type.Index.ToString(CultureInfo.InvariantCulture);

        private static void Separate(SourceWriter writer, ref bool first)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            first = false;
        }
    }
}
