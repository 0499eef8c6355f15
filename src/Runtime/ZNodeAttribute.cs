namespace ZkTypedState;

/// <summary>
/// Binds a type to a ZooKeeper node: the source generator emits its descriptor (<c>T.ZNode</c>), reflection-free JSON
/// serialization and DI/options registration (<c>AddGeneratedZNodes()</c>). The type must be <c>partial</c>.
/// </summary>
/// <remarks>
/// The path may contain template parameters, e.g. <c>/config/tenants/{tenant}/limits</c>: the type is then bound once
/// per set of parameter values, and <c>IOptionsMonitor&lt;T&gt;.Get("acme")</c> reads <c>/config/tenants/acme/limits</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class ZNodeAttribute : Attribute
{
    /// <summary>Binds the type to <paramref name="path"/>.</summary>
    /// <param name="path">An absolute ZooKeeper path, optionally with <c>{parameter}</c> placeholders.</param>
    public ZNodeAttribute(string path) => Path = path;

    /// <summary>The node's path or path template.</summary>
    public string Path { get; }

    /// <summary>
    /// True to fault payloads with members the type does not declare (a misspelled or unknown name), instead of ignoring
    /// them; names still match case-insensitively. Default false. JSON only (ZKTS020 with another format).
    /// </summary>
    public bool Strict { get; set; }

    /// <summary>
    /// The payload format: <see cref="ZNodeFormat.Json"/> (the default) or <see cref="ZNodeFormat.Text"/> (the type
    /// implements <see cref="IParsable{TSelf}"/>; see <see cref="ZNodeCodecs.Parsable{T}"/>). For any other format name a
    /// codec type in <see cref="Codec"/> instead.
    /// </summary>
    public ZNodeFormat Format { get; set; }

    /// <summary>
    /// A codec type for the payloads, e.g. <c>typeof(OrderProtobufCodec)</c>: a non-abstract class with a public
    /// parameterless constructor that implements <see cref="IZNodeCodec{T}"/> for this type (ZKTS018 otherwise). Leave
    /// <see cref="Format"/> at its default when setting it (ZKTS019). Null (the default): <see cref="Format"/> decides.
    /// </summary>
    public Type? Codec { get; set; }

    /// <summary>
    /// True when the app cannot run without the node: a host with <see cref="InitialSyncFailureBehavior.FailStartup"/>
    /// then fails to start while it is missing (for a path template: while any discovered member's node is missing).
    /// Default false: a missing node serves the type's defaults with status Missing.
    /// </summary>
    public bool Required { get; set; }
}

/// <summary>The payload format of a <see cref="ZNodeAttribute"/> type.</summary>
public enum ZNodeFormat
{
    /// <summary>JSON through System.Text.Json (a JsonSerializerContext that declares the type, else reflection): the default.</summary>
    Json = 0,

    /// <summary>
    /// The node's text parsed by the type itself: it must implement <see cref="IParsable{TSelf}"/> (ZKTS017), and
    /// <c>ToString()</c> (or <see cref="IFormattable"/> with the invariant culture) must write what <c>Parse</c> reads.
    /// </summary>
    Text = 1,
}
