using Microsoft.CodeAnalysis;

namespace ZkTypedState.Generator;

/// <summary>
/// Every diagnostic the [ZNode] generator reports. IDs are stable and tracked in AnalyzerReleases.*.md; each message
/// says how to fix the problem. Errors are located on the attribute's path argument (path problems) or on the
/// attribute (type problems).
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The diagnostics' category.</summary>
    public const string Category = "ZkTypedState";

    private const string PathRules =
        "A ZNode path is an absolute ZooKeeper path such as \"/config/payments\", optionally with whole-segment template " +
        "parameters such as \"/config/tenants/{tenant}/limits\".";

    public static readonly DiagnosticDescriptor PathNotAbsolute = Error(
        "ZKTS001",
        "ZNode path must be absolute",
        "The ZNode path '{0}' of '{1}' is not absolute: start it with '/', e.g. [ZNode(\"/config/app\")]",
        PathRules);

    public static readonly DiagnosticDescriptor EmptySegment = Error(
        "ZKTS002",
        "ZNode path has an empty segment or a trailing '/'",
        "The ZNode path '{0}' of '{1}' has an empty segment or a trailing '/' at index {2}: remove the extra '/'",
        PathRules);

    public static readonly DiagnosticDescriptor RelativeSegment = Error(
        "ZKTS003",
        "ZNode path has a '.' or '..' segment",
        "The ZNode path '{0}' of '{1}' has a '{2}' segment, which ZooKeeper rejects: write the canonical path without '.' and '..' segments",
        PathRules);

    public static readonly DiagnosticDescriptor InvalidCharacter = Error(
        "ZKTS004",
        "ZNode path has a character ZooKeeper rejects",
        "The ZNode path of '{1}' has the character U+{2} at index {3}, which ZooKeeper rejects (U+0000-U+001F, U+007F-U+009F, U+D800-U+F8FF, U+FFF0-U+FFFF): remove or replace it",
        PathRules);

    public static readonly DiagnosticDescriptor ReservedPath = Error(
        "ZKTS005",
        "ZNode path is under the reserved /zookeeper tree",
        "The ZNode path '{0}' of '{1}' is under /zookeeper, which ZooKeeper reserves for its own use: choose a path outside /zookeeper",
        PathRules);

    public static readonly DiagnosticDescriptor MalformedParameter = Error(
        "ZKTS006",
        "ZNode path has a malformed template parameter",
        "The ZNode path '{0}' of '{1}' has a malformed template parameter: {2}. A parameter must be a whole segment '{{name}}' whose name is letters, digits or '_', e.g. \"/config/tenants/{{tenant}}/limits\".",
        PathRules);

    public static readonly DiagnosticDescriptor DuplicateParameter = Error(
        "ZKTS007",
        "ZNode path uses a template parameter twice",
        "The ZNode path '{0}' of '{1}' uses the template parameter '{{{2}}}' more than once: give each parameter a distinct name",
        PathRules);

    public static readonly DiagnosticDescriptor DuplicatePath = Error(
        "ZKTS008",
        "Two types are bound to the same ZNode path",
        "The ZNode path '{0}' of '{1}' is also bound by '{2}' (paths that differ only in parameter names are the same path): bind each node to one type, or change one of the paths",
        "Each node (or family of nodes) is bound to exactly one type, so that its value has one shape.");

    public static readonly DiagnosticDescriptor GenericType = Error(
        "ZKTS009",
        "Generic types cannot be bound to a ZNode",
        "'{0}' is generic or nested in a generic type and cannot be bound to a node: bind a non-generic type, e.g. a record deriving from the generic one",
        "The generator emits one descriptor per type, so the type must be closed.");

    public static readonly DiagnosticDescriptor AbstractType = Error(
        "ZKTS010",
        "Abstract, static and ref struct types cannot be bound to a ZNode",
        "'{0}' is {1} and cannot be bound to a node: bind a concrete class, record or struct that can be instantiated",
        "The runtime creates default values and deserializes node data into instances of the type.");

    public static readonly DiagnosticDescriptor NoUsableConstructor = Error(
        "ZKTS011",
        "ZNode type has no usable constructor",
        "'{0}' has no constructor the generator can use for the value served while the node is missing: {1}",
        "The default value is created with a parameterless constructor, or with a constructor whose parameters all have default values.");

    public static readonly DiagnosticDescriptor InaccessibleType = Error(
        "ZKTS012",
        "ZNode type is not accessible to generated code",
        "'{0}' is {1}, so the generated registration cannot reach it: make it, and every type that contains it, public or internal",
        "AddGeneratedZNodes() lives in its own class of the assembly and must be able to name every bound type.");

    public static readonly DiagnosticDescriptor MissingPartial = Error(
        "ZKTS013",
        "ZNode type must be partial",
        "'{0}' must be partial because the generator adds its ZNode descriptor to it: add the 'partial' modifier to {1}",
        "The generator adds a static ZNode property to the type, so the type and every type containing it must be partial.");

    public static readonly DiagnosticDescriptor ReflectionJsonFallback = new(
        "ZKTS014",
        "ZNode type is serialized with reflection",
        "'{0}' is serialized with reflection-based System.Text.Json metadata: for reflection-free, trim- and AOT-safe serialization add [JsonSerializable(typeof({1}))] to a partial JsonSerializerContext in this assembly",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Without a JsonSerializerContext that declares the type, the descriptor uses DefaultJsonTypeInfoResolver, which needs reflection; trimmed and native AOT builds warn about it (IL2026/IL3050) and may read payloads as defaults. Reported as a warning when the project sets PublishAot, PublishTrimmed, IsAotCompatible, IsTrimmable or the trim/AOT analyzers.");

    public static readonly DiagnosticDescriptor InitDefaultsLost = new(
        "ZKTS016",
        "Init-only member defaults are lost under a JsonSerializerContext",
        "'{0}' holds init-only members with initializers that its JsonSerializerContext resets to default when a payload omits them, because {1}: use 'set' instead of 'init' there, or make the type a class with a parameterless constructor and no [JsonConstructor]",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "System.Text.Json's source generator sets init-only members through its own creator, passing default for missing members; the generator keeps initializer defaults for the bound type and the nested classes it holds, but not for structs, [JsonConstructor] types, or nested types without a parameterless constructor.");

    public static readonly DiagnosticDescriptor UnusableFormat = Error(
        "ZKTS017",
        "ZNode payload format cannot be used with the type",
        "'{0}' cannot use its payload format: {1}",
        "[ZNode(Format = ZNodeFormat.Text)] parses the node's text with the type's own IParsable<T> implementation and writes it with ToString().");

    public static readonly DiagnosticDescriptor InvalidCodec = Error(
        "ZKTS018",
        "ZNode codec type cannot be used",
        "'{0}' cannot be the payload codec of '{1}' because {2}: use a non-abstract, accessible class with a public parameterless constructor that implements ZkTypedState.IZNodeCodec<{3}>",
        "[ZNode(Codec = typeof(MyCodec))] creates the codec with new MyCodec() and reads and writes every payload of the type with it.");

    public static readonly DiagnosticDescriptor FormatAndCodec = Error(
        "ZKTS019",
        "ZNode has both a Format and a Codec",
        "'{0}' sets both Format and Codec on [ZNode]: a codec is the format, so remove Format (or remove Codec to use the built-in format)",
        "Format picks a built-in payload format; Codec names a codec of your own. One of them decides how payloads are read.");

    public static readonly DiagnosticDescriptor StrictWithoutJson = new(
        "ZKTS020",
        "ZNode Strict has no effect without JSON",
        "'{0}' sets Strict = true, which only applies to JSON payloads, but its payloads are not JSON: remove Strict, or reject unknown content in the codec",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Strict makes System.Text.Json reject members the type does not declare; a Format or Codec other than JSON decides on its own what a valid payload is.");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "ZKTS015",
        "ZkTypedState generator internal error",
        "The ZkTypedState generator failed on '{0}' and generated nothing for it: {1}. Please report this together with the type's declaration.",
        "An unexpected shape made the generator fail; it reports this instead of crashing the build.");

    private static DiagnosticDescriptor Error(string id, string title, string message, string description)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: description);
}
