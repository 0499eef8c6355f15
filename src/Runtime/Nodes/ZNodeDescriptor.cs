using System.Text.Json.Serialization.Metadata;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Everything the runtime needs to bind a type to a node: its path (or path template), its payload format (the
/// <see cref="Codec"/>: JSON without reflection by default, or text, bytes, a scalar, your own), its value when the node
/// is missing, and how to validate it. The source generator emits one per <see cref="ZNodeAttribute"/> type as
/// <c>T.ZNode</c>; it can also be built by hand, or with <see cref="ZNodeDescriptor.For{T}(string)"/> for a plain value.
/// </summary>
/// <typeparam name="T">The bound type.</typeparam>
public sealed class ZNodeDescriptor<T>
{
    private readonly string[] _segments;
    private readonly JsonTypeInfo<T>? _sourceJsonTypeInfo;
    private IZNodeCodec<T>? _codec;

    /// <summary>Creates a descriptor whose payloads are JSON (<see cref="ZNodeCodecs.Json{T}"/>, honouring <see cref="Strict"/>).</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    /// <param name="jsonTypeInfo">Serialization metadata for <typeparamref name="T"/> (from a JsonSerializerContext, ideally).</param>
    /// <param name="createDefault">The value served while the node does not exist.</param>
    /// <param name="validate">Returns the validation errors of a value (empty when valid), e.g. from DataAnnotations; null for none.</param>
    public ZNodeDescriptor(string pathTemplate, JsonTypeInfo<T> jsonTypeInfo, Func<T> createDefault, Func<T, IReadOnlyList<string>>? validate = null)
        : this(
            pathTemplate ?? throw new ArgumentNullException(nameof(pathTemplate)),
            jsonTypeInfo ?? throw new ArgumentNullException(nameof(jsonTypeInfo)),
            codec: null,
            createDefault ?? throw new ArgumentNullException(nameof(createDefault)),
            validate)
    {
    }

    /// <summary>Creates a descriptor whose payloads are read and written by <paramref name="codec"/>.</summary>
    /// <param name="pathTemplate">An absolute path, optionally with <c>{parameter}</c> placeholders.</param>
    /// <param name="codec">The payload format, e.g. <see cref="ZNodeCodecs.Text"/> or your own <see cref="IZNodeCodec{T}"/>.</param>
    /// <param name="createDefault">The value served while the node does not exist.</param>
    /// <param name="validate">Returns the validation errors of a value (empty when valid); null for none.</param>
    public ZNodeDescriptor(string pathTemplate, IZNodeCodec<T> codec, Func<T> createDefault, Func<T, IReadOnlyList<string>>? validate = null)
        : this(
            pathTemplate ?? throw new ArgumentNullException(nameof(pathTemplate)),
            jsonTypeInfo: null,
            codec ?? throw new ArgumentNullException(nameof(codec)),
            createDefault ?? throw new ArgumentNullException(nameof(createDefault)),
            validate)
    {
    }

    // The public constructors check their arguments (in parameter order) and meet here: exactly one of jsonTypeInfo
    // and codec is set, and the template is parsed in one place.
    private ZNodeDescriptor(string pathTemplate, JsonTypeInfo<T>? jsonTypeInfo, IZNodeCodec<T>? codec, Func<T> createDefault, Func<T, IReadOnlyList<string>>? validate)
    {
        PathTemplate = pathTemplate;
        _sourceJsonTypeInfo = jsonTypeInfo;
        _codec = codec;
        CreateDefault = createDefault;
        Validate = validate;
        (Parameters, _segments) = ParseTemplate(pathTemplate);
        if (Parameters.Count == 0)
        {
            ZooKeeperPath.Validate(pathTemplate);
        }
    }

    /// <summary>
    /// The payload format: the codec given to the constructor, or for the JSON constructor
    /// <see cref="ZNodeCodecs.Json{T}"/> over <see cref="SourceJsonTypeInfo"/> with <see cref="Strict"/> (built on first use).
    /// </summary>
    public IZNodeCodec<T> Codec => _codec ??= new ZNodeJsonCodec<T>(_sourceJsonTypeInfo!, Strict);

    /// <summary>True when payloads are JSON (the JSON constructor, or a codec from <see cref="ZNodeCodecs.Json{T}"/>).</summary>
    public bool IsJson => Codec is ZNodeJsonCodec<T>;

    /// <summary>The path, or the path template with <c>{parameter}</c> placeholders.</summary>
    public string PathTemplate { get; }

    /// <summary>The template's parameter names, in order of appearance (empty for a plain path).</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>True when the path has parameters.</summary>
    public bool IsTemplate => Parameters.Count > 0;

    /// <summary>
    /// The serialization metadata payloads are read and written with: <see cref="SourceJsonTypeInfo"/> with property
    /// names matched case-insensitively (as configuration binding does) and, when <see cref="Strict"/>, members the type
    /// does not have rejected (<see cref="System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow"/>).
    /// </summary>
    /// <remarks>Built on first use from a copy of the source metadata's options, with the same (reflection-free) resolver.</remarks>
    /// <exception cref="NotSupportedException">
    /// The source metadata is reflection-based while the app has reflection-based JSON disabled (trimmed and native AOT
    /// builds): add the type to a JsonSerializerContext (ZKTS014). Decoding turns this into a faulted payload.
    /// </exception>
    /// <exception cref="InvalidOperationException">The descriptor's payloads are not JSON (<see cref="IsJson"/> is false).</exception>
    public JsonTypeInfo<T> JsonTypeInfo => JsonCodec.TypeInfo;

    /// <summary>The serialization metadata as given to the constructor (or to <see cref="ZNodeCodecs.Json{T}"/>).</summary>
    /// <exception cref="InvalidOperationException">The descriptor's payloads are not JSON (<see cref="IsJson"/> is false).</exception>
    public JsonTypeInfo<T> SourceJsonTypeInfo => _sourceJsonTypeInfo ?? JsonCodec.Source;

    /// <summary>
    /// True to fault a payload that has a member the type does not declare (e.g. a misspelled name), instead of ignoring
    /// it. Set from <see cref="ZNodeAttribute.Strict"/> by generated descriptors. Applies to the JSON constructor; a codec
    /// given to the constructor carries its own rules (<see cref="ZNodeCodecs.Json{T}"/> takes <c>strict</c>).
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// True when the app cannot run without the node: under <see cref="InitialSyncFailureBehavior.FailStartup"/> the host
    /// fails to start while it is missing (for a template: while any discovered member's node is missing). Set from
    /// <see cref="ZNodeAttribute.Required"/> by generated descriptors.
    /// </summary>
    public bool Required { get; init; }

    /// <summary>Creates the value served while the node does not exist.</summary>
    public Func<T> CreateDefault { get; }

    /// <summary>Returns the validation errors of a value (empty when valid); null when the type declares no validation.</summary>
    public Func<T, IReadOnlyList<string>>? Validate { get; }

    /// <summary>
    /// The concrete path for the given parameter values (in the order of <see cref="Parameters"/>). Values must be
    /// non-empty single path segments.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number of values, or a value that is not a valid path segment.</exception>
    public string ResolvePath(params IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Parameters.Count)
        {
            throw new ArgumentException($"The path template '{PathTemplate}' takes {Parameters.Count} parameter(s) ({string.Join(", ", Parameters)}), got {values.Count}.", nameof(values));
        }

        if (!IsTemplate)
        {
            return PathTemplate;
        }

        var builder = new System.Text.StringBuilder(PathTemplate.Length + 16);
        int parameter = 0;
        for (int i = 0; i < _segments.Length; i++)
        {
            // Odd entries are parameter slots, even entries literal text.
            if (i % 2 == 0)
            {
                builder.Append(_segments[i]);
                continue;
            }

            string value = values[parameter++];
            if (string.IsNullOrEmpty(value) || value.Contains('/'))
            {
                throw new ArgumentException($"Value '{value}' for parameter '{_segments[i]}' of '{PathTemplate}' must be a non-empty path segment without '/'.", nameof(values));
            }

            builder.Append(value);
        }

        string path = builder.ToString();
        if (ZooKeeperPath.GetError(path) is { } error)
        {
            throw new ArgumentException($"Parameter values ({string.Join(", ", values)}) make '{PathTemplate}' an invalid path '{path}': {error}.", nameof(values));
        }

        return path;
    }

    /// <summary>The options name for a set of parameter values: the values joined by '/' (e.g. "acme" or "acme/eu").</summary>
    public string ToOptionsName(params IReadOnlyList<string> values) => string.Join('/', values);

    /// <summary>Splits an options name back into parameter values.</summary>
    /// <exception cref="ArgumentException">The name does not hold one value per parameter.</exception>
    public IReadOnlyList<string> ParseOptionsName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string[] values = name.Split('/');
        if (values.Length != Parameters.Count || Array.Exists(values, string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Options name '{name}' does not name the {Parameters.Count} parameter(s) of '{PathTemplate}' ({string.Join("/", Parameters.Select(p => "{" + p + "}"))}).", nameof(name));
        }

        return values;
    }

    /// <summary>
    /// True when every parameter is a whole path segment (<c>/a/{p}/b</c>), so the family's members can be discovered
    /// level by level from the children of each parameter's parent node.
    /// </summary>
    internal bool IsDiscoverable
    {
        get
        {
            for (int i = 1; i < _segments.Length; i += 2)
            {
                if (!_segments[i - 1].EndsWith('/') || (_segments[i + 1].Length > 0 && _segments[i + 1][0] != '/'))
                {
                    return false;
                }
            }

            return IsTemplate;
        }
    }

    /// <summary>The parent node whose children are the values of parameter <c>prefix.Count</c>, given the values before it.</summary>
    internal string ParentPath(IReadOnlyList<string> prefix)
    {
        var builder = new System.Text.StringBuilder(_segments[0]);
        for (int k = 0; k < prefix.Count; k++)
        {
            builder.Append(prefix[k]).Append(_segments[2 * k + 2]);
        }

        string path = builder.ToString().TrimEnd('/');
        return path.Length == 0 ? "/" : path;
    }

    private ZNodeJsonCodec<T> JsonCodec => Codec as ZNodeJsonCodec<T> ?? throw new InvalidOperationException(
        $"The descriptor of '{PathTemplate}' reads its payloads with {Codec.FormatName} ({Codec.GetType().Name}), not JSON: it has no JsonTypeInfo.");

    private static (IReadOnlyList<string> Parameters, string[] Segments) ParseTemplate(string template)
    {
        var parameters = new List<string>();
        var segments = new List<string>();
        int literalStart = 0;
        for (int i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                continue;
            }

            int close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw new ArgumentException($"Unclosed '{{' in path template '{template}'.", nameof(template));
            }

            string name = template[(i + 1)..close];
            if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_') || parameters.Contains(name))
            {
                throw new ArgumentException($"Invalid or duplicate parameter '{{{name}}}' in path template '{template}'.", nameof(template));
            }

            segments.Add(template[literalStart..i]);
            segments.Add(name);
            parameters.Add(name);
            literalStart = close + 1;
            i = close;
        }

        segments.Add(template[literalStart..]);
        return (parameters, [.. segments]);
    }
}
