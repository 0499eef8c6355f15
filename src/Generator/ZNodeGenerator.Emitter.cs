using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ZkTypedState.Generator.Helpers;
using ZkTypedState.Generator.Model;

namespace ZkTypedState.Generator;

public sealed partial class ZNodeGenerator
{
    /// <summary>
    /// Models to source text. Every name is written fully qualified with <c>global::</c>, so generated files need no
    /// usings and cannot be broken by the user's own type names.
    /// </summary>
    internal static partial class Emitter
    {
        /// <summary>The generator's assembly version, as written into [GeneratedCode].</summary>
        public static readonly string Version = typeof(ZNodeGenerator).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>The registration file's hint name.</summary>
        public const string RegistrationHintName = "ZkTypedStateGeneratedRegistration.g.cs";

        private const string ValidateMethodName = "__ZkTypedState_Validate";
        private const string AttributesClassName = "__ZkTypedState_ValidationAttributes";
        private const string KeepInitializersMethodName = "__ZkTypedState_KeepInitializers";

        private static readonly string GeneratedCodeAttribute =
            $"[global::System.CodeDom.Compiler.GeneratedCode(\"ZkTypedState.Generator\", \"{Version}\")]";

        /// <summary>The hint name of a type's file.</summary>
        public static string GetHintName(ZNodeSpec spec) => spec.FileNameHint + ".ZNode.g.cs";

        /// <summary>Writes one [ZNode] type's file: the descriptor (plus validation) in the partial type, and the accessor for templates.</summary>
        public static string EmitType(ZNodeModel model)
        {
            ZNodeSpec spec = model.Spec;
            var writer = new SourceWriter();
            WriteHeader(writer);

            bool hasNamespace = spec.Namespace.Length > 0;
            if (hasNamespace)
            {
                writer.WriteLine("namespace " + spec.Namespace);
                writer.OpenBlock();
            }

            foreach (ContainingTypeSpec containing in spec.ContainingTypes)
            {
                writer.WriteLine($"partial {containing.Keyword} {containing.Name}");
                writer.OpenBlock();
            }

            writer.WriteLine($"partial {spec.Keyword} {spec.Name}");
            writer.OpenBlock();
            WriteDescriptor(writer, model);
            if (UsesInitSetters(model))
            {
                writer.WriteLine();
                WriteKeepInitializers(writer, spec);
            }

            if (spec.HasValidation)
            {
                writer.WriteLine();
                WriteValidation(writer, spec);
            }

            writer.CloseBlock();

            if (spec.IsTemplate)
            {
                writer.WriteLine();
                WriteFamily(writer, spec);
            }

            for (int i = 0; i < spec.ContainingTypes.Count; i++)
            {
                writer.CloseBlock();
            }

            if (hasNamespace)
            {
                writer.CloseBlock();
            }

            return writer.ToString();
        }

        /// <summary>
        /// <c>Add</c> + the assembly name without its non-identifier characters + <c>ZNodes</c>, e.g. <c>AddContosoSharedZNodes</c>
        /// for <c>Contoso.Shared</c>: the public, per-assembly registration method.
        /// </summary>
        public static string GetPublicRegistrationName(string? assemblyName)
        {
            var builder = new System.Text.StringBuilder("Add");
            foreach (char c in assemblyName ?? string.Empty)
            {
                if (char.IsLetterOrDigit(c) || c == '_')
                {
                    builder.Append(builder.Length == 3 ? char.ToUpperInvariant(c) : c);
                }
            }

            return builder.Append("ZNodes").ToString();
        }

        /// <summary>
        /// Writes the assembly's registration (only called when there is at least one type): the public
        /// <c>Add&lt;Assembly&gt;ZNodes()</c>, which a library's users call, and the internal <c>AddGeneratedZNodes()</c> for
        /// the assembly itself.
        /// </summary>
        /// <remarks>
        /// In an assembly that grants InternalsVisibleTo, <c>AddGeneratedZNodes()</c> gets an ignored optional parameter: in a
        /// friend assembly with [ZNode] types of its own, both are visible, and C# prefers the candidate with no omitted
        /// optional arguments, i.e. the friend's own (instead of CS0121).
        /// </remarks>
        public static string EmitRegistration(EquatableArray<RegistrationEntry> entries, string? assemblyName, bool grantsInternals = false)
        {
            string publicName = GetPublicRegistrationName(assemblyName);
            string publicClass = publicName.Substring(3) + "Registration";
            var writer = new SourceWriter();
            WriteHeader(writer);
            writer.WriteLine("namespace ZkTypedState");
            writer.OpenBlock();
            writer.WriteLine($"""
                /// <summary>
                /// Registration of the <see cref="global::ZkTypedState.ZNodeAttribute"/> types of the assembly
                /// {XmlEscape(assemblyName ?? string.Empty)} (generated). Public and named after the assembly, so a library's
                /// users can register the library's types and several assemblies' registrations never clash.
                /// </summary>
                """);
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"public static class {publicClass}");
            writer.OpenBlock();
            writer.WriteLine($"""
                /// <summary>
                /// Binds every <see cref="global::ZkTypedState.ZNodeAttribute"/> type of the assembly {XmlEscape(assemblyName ?? string.Empty)}:
                /// registers its node (or family of nodes, for path templates), <c>IOptionsMonitor&lt;T&gt;</c> and
                /// <c>IOptions&lt;T&gt;</c>, and the typed accessor of each path template.
                /// </summary>
                /// <param name="builder">The builder returned by <c>services.AddZkTypedState(...)</c>.</param>
                /// <returns>The same builder, for chaining.</returns>
                """);
            writer.WriteLine($"public static global::ZkTypedState.ZkTypedStateBuilder {publicName}(this global::ZkTypedState.ZkTypedStateBuilder builder)");
            writer.OpenBlock();
            writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(builder);");
            foreach (RegistrationEntry entry in entries)
            {
                writer.WriteLine($"builder.AddZNode({entry.TypeFullyQualifiedName}.ZNode);");
            }

            foreach (RegistrationEntry entry in entries)
            {
                if (entry.FamilyFullyQualifiedName is { } family)
                {
                    writer.WriteLine($"global::Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<{family}>(");
                    writer.Indentation++;
                    writer.WriteLine("builder.Services,");
                    writer.WriteLine($"static services => new {family}(");
                    writer.Indentation++;
                    writer.WriteLine($"global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::ZkTypedState.IZNodeFamily<{entry.TypeFullyQualifiedName}>>(services)));");
                    writer.Indentation -= 2;
                }
            }

            writer.WriteLine("return builder;");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("""
                /// <summary>
                /// Registration of the <see cref="global::ZkTypedState.ZNodeAttribute"/> types of this assembly (generated; internal,
                /// so that every assembly has its own).
                /// </summary>
                """);
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("internal static class ZkTypedStateGeneratedRegistration");
            writer.OpenBlock();
            writer.WriteLine($"""
                /// <summary>
                /// Binds every <see cref="global::ZkTypedState.ZNodeAttribute"/> type of this assembly; the same as
                /// <see cref="{publicClass}.{publicName}"/>.
                /// </summary>
                /// <param name="builder">The builder returned by <c>services.AddZkTypedState(...)</c>.</param>
                """);
            if (grantsInternals)
            {
                writer.WriteLine("""
                    /// <param name="ofFriendAssembly">Ignored: it makes an InternalsVisibleTo friend's own <c>AddGeneratedZNodes()</c> win overload resolution.</param>
                    """);
            }

            writer.WriteLine("/// <returns>The same builder, for chaining.</returns>");
            string extra = grantsInternals ? ", bool ofFriendAssembly = false" : string.Empty;
            writer.WriteLine($"public static global::ZkTypedState.ZkTypedStateBuilder AddGeneratedZNodes(this global::ZkTypedState.ZkTypedStateBuilder builder{extra}) => {publicClass}.{publicName}(builder);");
            writer.CloseBlock();
            writer.CloseBlock();
            return writer.ToString();
        }

        private static void WriteHeader(SourceWriter writer)
        {
            writer.WriteLine("// <auto-generated/>");
            writer.WriteLine("#nullable enable");
            writer.WriteLine();
        }

        private static void WriteDescriptor(SourceWriter writer, ZNodeModel model)
        {
            ZNodeSpec spec = model.Spec;
            string type = spec.FullyQualifiedName;
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// The ZooKeeper binding of <see cref=\"{type}\"/>: node {(spec.IsTemplate ? "template" : "path")} <c>{XmlEscape(spec.PathTemplate)}</c>,");
            string format = spec.Payload.Format switch
            {
                PayloadFormat.Text => "payload format (the type's own text form)",
                PayloadFormat.Codec => $"payload codec (<see cref=\"{spec.Payload.CodecFullyQualifiedName}\"/>)",
                _ => "JSON metadata",
            };
            writer.WriteLine($"/// {format}, default value and validation. <c>AddGeneratedZNodes()</c> registers it.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"public static {(spec.HidesInheritedZNode ? "new " : string.Empty)}global::ZkTypedState.ZNodeDescriptor<{type}> ZNode {{ get; }} = new(");
            writer.Indentation++;
            writer.WriteLine(SymbolDisplay.FormatLiteral(spec.PathTemplate, quote: true) + ",");
            if (spec.Payload.Format == PayloadFormat.Text)
            {
                writer.WriteLine($"global::ZkTypedState.ZNodeCodecs.Parsable<{type}>(),");
            }
            else if (spec.Payload.Format == PayloadFormat.Codec)
            {
                writer.WriteLine($"new {spec.Payload.CodecFullyQualifiedName}(),");
            }
            else if (model.Json is { } json && UsesInitSetters(model))
            {
                writer.WriteLine("// Missing init-only members keep their initializers (System.Text.Json's own context path would reset them).");
                writer.WriteLine($"global::ZkTypedState.ZNodeJson.WithModifier({json.ContextFullyQualifiedName}.Default.{json.PropertyName}, {KeepInitializersMethodName}),");
            }
            else if (model.Json is { } context)
            {
                writer.WriteLine($"{context.ContextFullyQualifiedName}.Default.{context.PropertyName},");
            }
            else
            {
                writer.WriteLine("// No JsonSerializerContext declares this type (ZKTS014), so its metadata comes from reflection: trimmed and");
                writer.WriteLine($"// native AOT builds warn here (IL2026/IL3050). Add [JsonSerializable(typeof({spec.Name}))] to a context to fix that.");
                writer.WriteLine($"(global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{type}>)new global::System.Text.Json.JsonSerializerOptions");
                writer.OpenBlock();
                writer.WriteLine("TypeInfoResolver = new global::System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),");
                writer.CloseBlock($".GetTypeInfo(typeof({type})),");
            }

            bool initializers = spec.Strict || spec.Required;
            string end = initializers ? ")" : ");";
            writer.WriteLine($"static () => {CreateDefaultExpression(spec)}{(spec.HasValidation ? "," : end)}");
            if (spec.HasValidation)
            {
                writer.WriteLine(ValidateMethodName + end);
            }

            if (initializers)
            {
                writer.Indentation--;
                writer.WriteLine("{");
                writer.Indentation++;
                if (spec.Strict)
                {
                    writer.WriteLine("Strict = true,");
                }

                if (spec.Required)
                {
                    writer.WriteLine("Required = true,");
                }

                writer.Indentation--;
                writer.WriteLine("};");
                writer.Indentation++;
            }

            writer.Indentation--;
        }

        private static void WriteFamily(SourceWriter writer, ZNodeSpec spec)
        {
            string type = spec.FullyQualifiedName;
            string family = spec.FamilyName!;
            string path = XmlEscape(spec.PathTemplate);
            string parameters = string.Join(", ", spec.Parameters.Select(p => "string " + p.Identifier));
            string values = "[" + string.Join(", ", spec.Parameters.Select(p => p.Identifier)) + "]";
            // The accessor's own parameter names must not clash with a template parameter of the same name ({node}).
            string nodeName = Unclashed("node", spec);
            string tokenName = Unclashed("cancellationToken", spec);

            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// Typed access to the nodes bound from <c>{path}</c> (<see cref=\"{type}.ZNode\"/>), one per set of");
            writer.WriteLine("/// parameter values. Inject it: <c>AddGeneratedZNodes()</c> registers it as a singleton.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine($"{spec.FamilyAccessibility} sealed class {family}");
            writer.OpenBlock();
            writer.WriteLine($"private readonly global::ZkTypedState.IZNodeFamily<{type}> _family;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates the accessor over the runtime's family of nodes.</summary>");
            writer.WriteLine($"/// <param name=\"family\">The nodes bound from <see cref=\"{type}.ZNode\"/>.</param>");
            writer.WriteLine($"public {family}(global::ZkTypedState.IZNodeFamily<{type}> family)");
            writer.OpenBlock();
            writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(family);");
            writer.WriteLine("this._family = family;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <summary>The descriptor, with the path template.</summary>");
            writer.WriteLine($"public global::ZkTypedState.ZNodeDescriptor<{type}> Descriptor => this._family.Descriptor;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The runtime's family: members discovered from ZooKeeper, <c>MemberAdded</c>/<c>MemberRemoved</c> events.</summary>");
            writer.WriteLine($"public global::ZkTypedState.IZNodeFamily<{type}> Family => this._family;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The names of the members that exist in ZooKeeper (parameter values joined by '/').</summary>");
            writer.WriteLine("public global::System.Collections.Generic.IReadOnlyCollection<string> Members => this._family.Members;");
            writer.WriteLine();
            writer.WriteLine($"/// <summary>The node at <c>{path}</c> for the given parameter values: a member is already loaded; another name is bound (bounded, see MaxFamilyNonMembers).</summary>");
            WriteParameterDocs(writer, spec);
            writer.WriteLine("/// <returns>The node.</returns>");
            writer.WriteLine($"public global::ZkTypedState.IZNode<{type}> Get({parameters}) => this._family.Get({values});");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Like <see cref=\"Get\"/>, and waits until the node has been read.</summary>");
            WriteParameterDocs(writer, spec);
            writer.WriteLine($"/// <param name=\"{tokenName}\">Ends the wait.</param>");
            writer.WriteLine("/// <returns>The loaded node.</returns>");
            writer.WriteLine($"public global::System.Threading.Tasks.Task<global::ZkTypedState.IZNode<{type}>> GetAsync({parameters}, global::System.Threading.CancellationToken {tokenName} = default) => this._family.GetAsync({values}, {tokenName});");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The node for the given parameter values if it is already bound (a member, or a name asked for before); never binds.</summary>");
            WriteParameterDocs(writer, spec);
            writer.WriteLine($"/// <param name=\"{nodeName}\">The node, when found.</param>");
            writer.WriteLine("/// <returns>Whether the node is bound.</returns>");
            writer.WriteLine($"public bool TryGet({parameters}, [global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out global::ZkTypedState.IZNode<{type}>? {nodeName}) => this._family.TryGet({values}, out {nodeName});");
            writer.WriteLine();
            writer.WriteLine($"/// <summary>The options name of the given parameter values, for <c>IOptionsMonitor&lt;{XmlEscape(spec.Name.TrimStart('@'))}&gt;.Get(name)</c>.</summary>");
            WriteParameterDocs(writer, spec);
            writer.WriteLine("/// <returns>The values joined by '/'.</returns>");
            writer.WriteLine($"public static string GetOptionsName({parameters}) => {type}.ZNode.ToOptionsName({values});");
            writer.CloseBlock();
        }

        private static string Unclashed(string name, ZNodeSpec spec)
        {
            while (spec.Parameters.Any(p => p.Identifier.TrimStart('@') == name))
            {
                name += "_";
            }

            return name;
        }

        private static void WriteParameterDocs(SourceWriter writer, ZNodeSpec spec)
        {
            foreach (TemplateParameterSpec parameter in spec.Parameters)
            {
                writer.WriteLine($"/// <param name=\"{parameter.Identifier.TrimStart('@')}\">The value of <c>{{{XmlEscape(parameter.Name)}}}</c>: a non-empty path segment without '/'.</param>");
            }
        }

        private static string XmlEscape(string text)
            => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
