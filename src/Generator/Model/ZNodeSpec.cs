using ZkTypedState.Generator.Helpers;

namespace ZkTypedState.Generator.Model;

/// <summary>
/// Everything the emitter needs to write one [ZNode] type's file, as plain values (no symbols, syntax or locations),
/// so that an unrelated edit leaves it equal and the output is cached.
/// </summary>
/// <param name="FullyQualifiedName">The type as C# names it from anywhere: <c>global::Ns.Outer.Limits</c>.</param>
/// <param name="Name">The type's simple name, escaped if it is a keyword.</param>
/// <param name="Namespace">The containing namespace (escaped), empty for the global namespace.</param>
/// <param name="ContainingTypes">The containing types, outermost first (empty for a top-level type).</param>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>record</c>, <c>struct</c> or <c>record struct</c>.</param>
/// <param name="FileNameHint">A unique, stable hint name stem (namespace and nesting, e.g. <c>Ns.Outer+Limits</c>).</param>
/// <param name="PathTemplate">The path or path template, as written.</param>
/// <param name="Parameters">The template's parameters, in order (empty for a plain path).</param>
/// <param name="DefaultConstructorArguments">Arguments for the default-value constructor call (<c>name: value</c>), usually none.</param>
/// <param name="FamilyName">For templates: the injectable accessor class's name (<c>LimitsFamily</c>); otherwise null.</param>
/// <param name="FamilyAccessibility">The accessor's accessibility keyword: <c>public</c> or <c>internal</c>.</param>
/// <param name="HidesInheritedZNode">A base type has an accessible <c>ZNode</c> member (e.g. a [ZNode] base class), so ours is declared <c>new</c>.</param>
/// <param name="Strict">[ZNode(Strict = true)]: payloads with unmapped members fault.</param>
/// <param name="Required">[ZNode(Required = true)]: a missing node fails a FailStartup host.</param>
/// <param name="RequiredMembers">The <c>required</c> members the default-value creation sets to <c>default!</c> (none when the constructor is [SetsRequiredMembers]).</param>
/// <param name="InitTypes">The bound type and the nested types reachable from its members that have init-only properties, for keeping their initializer defaults under a JsonSerializerContext.</param>
/// <param name="InitDefaultsProblem">Why initializer defaults of some init-only members cannot be kept under a context (a struct, [JsonConstructor], no parameterless constructor); null when they can or there are none.</param>
/// <param name="ValidatedTypes">The validated types: [0] is the bound type, the rest nested types reached through [ValidateObjectMembers]/[ValidateEnumeratedItems]; empty when nothing is validated.</param>
/// <param name="Payload">The payload format (JSON unless [ZNode(Format/Codec)] says otherwise).</param>
internal sealed record ZNodeSpec(
    string FullyQualifiedName,
    string Name,
    string Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string Keyword,
    string FileNameHint,
    string PathTemplate,
    EquatableArray<TemplateParameterSpec> Parameters,
    EquatableArray<string> DefaultConstructorArguments,
    string? FamilyName,
    string FamilyAccessibility,
    bool HidesInheritedZNode,
    bool Strict,
    bool Required,
    EquatableArray<string> RequiredMembers,
    EquatableArray<InitTypeSpec> InitTypes,
    string? InitDefaultsProblem,
    EquatableArray<ValidatedTypeSpec> ValidatedTypes,
    PayloadFormatSpec Payload)
{
    /// <summary>True when payloads are JSON (the JSON metadata, ZKTS014 and ZKTS016 apply).</summary>
    public bool IsJson => Payload.Format == PayloadFormat.Json;

    /// <summary>True when generated validation exists for the type.</summary>
    public bool HasValidation => !ValidatedTypes.IsEmpty;

    /// <summary>True for a path template with parameters.</summary>
    public bool IsTemplate => !Parameters.IsEmpty;

    /// <summary>The accessor class as C# names it from anywhere, or null when there is none.</summary>
    public string? FamilyFullyQualifiedName => FamilyName is null
        ? null
        : FullyQualifiedName.Substring(0, FullyQualifiedName.Length - Name.Length) + FamilyName;
}

/// <summary>A type that contains the bound type (it must be partial too).</summary>
/// <param name="Keyword">Its declaration keyword (<c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c>, <c>interface</c>).</param>
/// <param name="Name">Its simple name, escaped if needed.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>One template parameter.</summary>
/// <param name="Name">The name as written between the braces.</param>
/// <param name="Identifier">A valid, distinct C# parameter identifier for it.</param>
internal sealed record TemplateParameterSpec(string Name, string Identifier);

/// <summary>A property or field validated with DataAnnotations attributes and/or as a nested object.</summary>
/// <param name="Name">The member's name (used as MemberName and DisplayName).</param>
/// <param name="Identifier">The member's name as an identifier (escaped if a keyword).</param>
/// <param name="Attributes">Its validation attributes, in declaration order.</param>
/// <param name="NestedType">Index into <see cref="ZNodeSpec.ValidatedTypes"/> of the member's type ([ValidateObjectMembers]) or element type ([ValidateEnumeratedItems]); -1 for none.</param>
/// <param name="Enumerated">True for [ValidateEnumeratedItems]: each item is validated.</param>
internal sealed record ValidatedMemberSpec(string Name, string Identifier, EquatableArray<ValidationAttributeSpec> Attributes, int NestedType, bool Enumerated);

/// <summary>One type whose members are validated: the bound type or a nested one.</summary>
/// <param name="FullyQualifiedName">The type.</param>
/// <param name="DisplayName">Its simple name, for the validation context.</param>
/// <param name="Members">Validated members, base types first.</param>
/// <param name="IsValidatableObject">The type implements IValidatableObject (run after its members pass, as Validator does).</param>
internal sealed record ValidatedTypeSpec(string FullyQualifiedName, string DisplayName, EquatableArray<ValidatedMemberSpec> Members, bool IsValidatableObject);

/// <summary>A type whose init-only properties get real setters (and whose metadata gets a creator running its initializers).</summary>
/// <param name="FullyQualifiedName">The type.</param>
/// <param name="Index">Its position (accessor names are suffixed with it).</param>
/// <param name="IsBoundType">True for the bound type (created with its default-value expression); nested types are created through a constructor UnsafeAccessor.</param>
/// <param name="Members">Its init-only properties, own and inherited.</param>
internal sealed record InitTypeSpec(string FullyQualifiedName, int Index, bool IsBoundType, EquatableArray<InitMemberSpec> Members);

/// <summary>An init-only property, set through an UnsafeAccessor so that a missing JSON member keeps its initializer.</summary>
/// <param name="Name">The property's name (the setter is <c>set_Name</c>).</param>
/// <param name="DeclaringTypeFullyQualifiedName">The type declaring the setter.</param>
/// <param name="PropertyTypeFullyQualifiedName">The property's type.</param>
internal sealed record InitMemberSpec(string Name, string DeclaringTypeFullyQualifiedName, string PropertyTypeFullyQualifiedName);

/// <summary>A validation attribute, reproduced in generated code with the same constructor and named arguments.</summary>
/// <param name="TypeFullyQualifiedName">The attribute class, e.g. <c>global::System.ComponentModel.DataAnnotations.RangeAttribute</c>.</param>
/// <param name="ConstructorArguments">The constructor arguments as C# expressions, typed so the same constructor is chosen.</param>
/// <param name="NamedArguments">The named arguments (properties or fields) in declaration order.</param>
internal sealed record ValidationAttributeSpec(
    string TypeFullyQualifiedName,
    EquatableArray<string> ConstructorArguments,
    EquatableArray<NamedArgumentSpec> NamedArguments);

/// <summary>A named attribute argument.</summary>
/// <param name="Name">The property or field name.</param>
/// <param name="Expression">Its value as a C# expression.</param>
internal sealed record NamedArgumentSpec(string Name, string Expression);

/// <summary>How a [ZNode] type's payloads are read and written.</summary>
internal enum PayloadFormat
{
    /// <summary>System.Text.Json (a context's metadata, else reflection): the default.</summary>
    Json,

    /// <summary>The type's own IParsable&lt;T&gt; (ZNodeCodecs.Parsable).</summary>
    Text,

    /// <summary>A codec type of the user's (new CodecType()).</summary>
    Codec,
}

/// <summary>A type's payload format.</summary>
/// <param name="Format">Which format.</param>
/// <param name="CodecFullyQualifiedName">For <see cref="PayloadFormat.Codec"/>: the codec type; otherwise null.</param>
internal sealed record PayloadFormatSpec(PayloadFormat Format, string? CodecFullyQualifiedName);
