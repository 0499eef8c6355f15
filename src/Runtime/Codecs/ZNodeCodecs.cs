using System.Text.Json.Serialization.Metadata;

namespace ZkTypedState;

/// <summary>
/// The built-in payload codecs. Rules per format:
/// <list type="bullet">
/// <item><see cref="Json{T}"/>: System.Text.Json with the <see cref="ZNodeJson"/> rules (case-insensitive names, optional strict mode). Empty data, invalid UTF-8 and <c>null</c> are bad payloads. The default of <c>[ZNode]</c> types.</item>
/// <item><see cref="Text"/>: strict UTF-8 to <see cref="string"/>; a leading BOM is dropped, all else kept as written (whitespace and a trailing newline included). Empty data is <c>""</c>.</item>
/// <item><see cref="Bytes"/> and <see cref="ReadOnlyMemory"/>: the data as it is; empty data is an empty value. <c>byte[]</c> values are copies; <see cref="ReadOnlyMemory{T}"/> values are views of the data as read, with no copy.</item>
/// <item>Scalars (<see cref="Int32"/>, <see cref="Int64"/>, <see cref="Double"/>, <see cref="Decimal"/>, <see cref="Boolean"/>, <see cref="TimeSpan"/>, <see cref="Guid"/>, <see cref="DateTimeOffset"/>): strict UTF-8 text, a BOM dropped and surrounding whitespace trimmed (so <c>echo 6.35</c>'s newline is fine), parsed with the invariant culture whatever the machine's culture; written in the invariant form with no newline. Empty data is a bad payload (<see cref="ZNodePayloadError.Empty"/>): a scalar node has no empty value.</item>
/// </list>
/// </summary>
public static class ZNodeCodecs
{
    /// <summary>JSON through <paramref name="typeInfo"/> (ideally from a JsonSerializerContext), matched case-insensitively.</summary>
    /// <param name="typeInfo">The metadata.</param>
    /// <param name="strict">True to fault payloads with members <typeparamref name="T"/> does not declare.</param>
    /// <typeparam name="T">The bound type.</typeparam>
    public static IZNodeCodec<T> Json<T>(JsonTypeInfo<T> typeInfo, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new ZNodeJsonCodec<T>(typeInfo, strict);
    }

    /// <summary>UTF-8 text, kept as written (a BOM dropped); empty data is the empty string.</summary>
    public static IZNodeCodec<string> Text => ZNodeTextCodec.Instance;

    /// <summary>Raw bytes; each value is a copy of the data; empty data is an empty array.</summary>
    public static IZNodeCodec<byte[]> Bytes => ZNodeByteArrayCodec.Instance;

    /// <summary>Raw bytes as a read-only view of the data as read (no copy); empty data is empty memory.</summary>
    public static IZNodeCodec<ReadOnlyMemory<byte>> ReadOnlyMemory => ZNodeMemoryCodec.Instance;

    /// <summary>An integer such as <c>42</c> or <c>-7</c>: sign and digits only.</summary>
    public static IZNodeCodec<int> Int32 => ZNodeScalars.Int32;

    /// <summary>An integer such as <c>42</c> or <c>-7</c>: sign and digits only.</summary>
    public static IZNodeCodec<long> Int64 => ZNodeScalars.Int64;

    /// <summary>A number such as <c>6.35</c> or <c>-1.5e3</c> ('.' as the decimal point, no thousands separators; <c>NaN</c> and <c>Infinity</c> accepted). Written round-trippable.</summary>
    public static IZNodeCodec<double> Double => ZNodeScalars.Double;

    /// <summary>A number such as <c>6.35</c> ('.' as the decimal point, exponent allowed, no thousands separators).</summary>
    public static IZNodeCodec<decimal> Decimal => ZNodeScalars.Decimal;

    /// <summary><c>true</c> or <c>false</c> in any case (not <c>1</c>/<c>0</c>); written in lower case.</summary>
    public static IZNodeCodec<bool> Boolean => ZNodeScalars.Boolean;

    /// <summary>A duration: <c>[-][d.]hh:mm[:ss[.fffffff]]</c> or ISO 8601 (<c>PT30S</c>); a bare number is refused (.NET would read <c>30</c> as 30 days). Written as <c>c</c> (<c>00:00:30</c>).</summary>
    public static IZNodeCodec<TimeSpan> TimeSpan => ZNodeScalars.TimeSpan;

    /// <summary>A GUID in any of .NET's forms (D, N, B, P); written as D.</summary>
    public static IZNodeCodec<Guid> Guid => ZNodeScalars.Guid;

    /// <summary>A timestamp, ideally ISO 8601 with an offset; one without an offset is taken as UTC (never local time). Written as <c>O</c>.</summary>
    public static IZNodeCodec<DateTimeOffset> DateTimeOffset => ZNodeScalars.DateTimeOffset;

    /// <summary>
    /// A type that parses itself from text (<see cref="IParsable{TSelf}"/>): strict UTF-8, a BOM dropped, surrounding
    /// whitespace trimmed, then <c>T.Parse(text, InvariantCulture)</c>; written with <c>ToString(null, InvariantCulture)</c>
    /// when it is <see cref="IFormattable"/>, else <c>ToString()</c> — which must write what Parse reads. Empty data is a
    /// bad payload. What <c>[ZNode(Format = ZNodeFormat.Text)]</c> uses.
    /// </summary>
    /// <typeparam name="T">The bound type.</typeparam>
    public static IZNodeCodec<T> Parsable<T>()
        where T : IParsable<T> => ZNodeParsableCodec<T>.Instance;

    /// <summary>
    /// An enum as its name (<c>Warning</c>), matched case-insensitively after trimming; numbers are refused, and
    /// comma-separated combinations unless the enum is <c>[Flags]</c>. Written as the name.
    /// </summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    public static IZNodeCodec<TEnum> Enum<TEnum>()
        where TEnum : struct, Enum => ZNodeEnumCodec<TEnum>.Instance;

    /// <summary>
    /// True when <paramref name="type"/> has a built-in codec that <see cref="For{T}"/> picks: <see cref="string"/>,
    /// <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> and the scalars above. Such "plain value" nodes are bound by path
    /// and resolved as keyed <see cref="IZNode{T}"/>, with no options registrations. Enums count too (<see cref="Enum{TEnum}"/>).
    /// </summary>
    public static bool IsPlainValueType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.IsEnum || BuiltIn(type) is not null;
    }

    /// <summary>The built-in codec for <typeparamref name="T"/> (see <see cref="IsPlainValueType"/>).</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no built-in codec: build a descriptor with <see cref="Json{T}"/> or a codec of your own.</exception>
    public static IZNodeCodec<T> For<T>() =>
        (typeof(T).IsEnum ? ZNodeEnumCodec<T>.Instance : BuiltIn(typeof(T)) as IZNodeCodec<T>) ?? throw new NotSupportedException(
            $"{typeof(T).Name} has no built-in payload codec (those are string, byte[], ReadOnlyMemory<byte>, int, long, double, decimal, bool, TimeSpan, Guid, DateTimeOffset and enums). " +
            $"Declare a [ZNode] type for JSON, or build new ZNodeDescriptor<{typeof(T).Name}>(path, codec, createDefault) with ZNodeCodecs.Json(typeInfo) or your own IZNodeCodec<{typeof(T).Name}>.");

    private static object? BuiltIn(Type type) =>
        type == typeof(string) ? Text
        : type == typeof(byte[]) ? Bytes
        : type == typeof(ReadOnlyMemory<byte>) ? ReadOnlyMemory
        : type == typeof(int) ? Int32
        : type == typeof(long) ? Int64
        : type == typeof(double) ? Double
        : type == typeof(decimal) ? Decimal
        : type == typeof(bool) ? Boolean
        : type == typeof(TimeSpan) ? TimeSpan
        : type == typeof(Guid) ? Guid
        : type == typeof(DateTimeOffset) ? DateTimeOffset
        : null;
}
