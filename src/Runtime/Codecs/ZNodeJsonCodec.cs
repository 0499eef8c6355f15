using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ZkTypedState;

/// <summary>
/// JSON through System.Text.Json source-generated (or given) metadata, with the <see cref="ZNodeJson"/> rules: names match
/// case-insensitively, and when strict a member the type does not declare faults the payload. Empty data, invalid UTF-8
/// and JSON <c>null</c> are bad payloads.
/// </summary>
internal sealed class ZNodeJsonCodec<T>(JsonTypeInfo<T> source, bool strict) : IZNodeCodec<T>
{
    private JsonTypeInfo<T>? _payload;

    public string FormatName => "JSON";

    /// <summary>The metadata as given.</summary>
    public JsonTypeInfo<T> Source => source;

    /// <summary>The metadata payloads are read and written with (built on first use; may throw NotSupportedException, see ZNodeJson.ForPayloads).</summary>
    public JsonTypeInfo<T> TypeInfo => _payload ??= ZNodeJson.ForPayloads(source, strict);

    public T Decode(ReadOnlyMemory<byte> payload)
    {
        ReadOnlySpan<byte> bytes = payload.Span;
        if (bytes.IsEmpty)
        {
            throw new ZNodeCodecException(ZNodePayloadError.Empty, $"expected JSON for {typeof(T).Name}");
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new ZNodeCodecException($"the data is not valid UTF-8, so it cannot be JSON for {typeof(T).Name}");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(bytes, TypeInfo);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ZNodeCodecException($"not valid JSON for {typeof(T).Name}: {ex.Message}", ex);
        }

        return value ?? throw new ZNodeCodecException($"the data is JSON null, not a {typeof(T).Name}");
    }

    public byte[] Encode(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo);
}
