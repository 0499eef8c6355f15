namespace ZkTypedState;

/// <summary>
/// UTF-8 text as a <see cref="string"/>: strict UTF-8 (invalid bytes are a bad payload), a leading BOM dropped,
/// everything else kept as written (whitespace and a trailing newline included). Empty data is the empty string.
/// Writes UTF-8 without a BOM.
/// </summary>
internal sealed class ZNodeTextCodec : IZNodeCodec<string>
{
    public static readonly ZNodeTextCodec Instance = new();

    public string FormatName => "UTF-8 text";

    public string Decode(ReadOnlyMemory<byte> payload) =>
        payload.IsEmpty ? string.Empty : ZNodeCodecText.DecodeStrict(payload.Span, "text");

    public byte[] Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            return ZNodeCodecText.Utf8.GetBytes(value);
        }
        catch (System.Text.EncoderFallbackException ex)
        {
            throw new ArgumentException($"The text has a lone surrogate at index {ex.Index}, which UTF-8 cannot encode.", nameof(value), ex);
        }
    }
}

/// <summary>
/// Raw bytes as a <see cref="byte"/> array: the value is a copy of the node's data (so changing the array changes
/// neither the node nor <see cref="ZNodeSnapshot{T}.RawPayload"/>), and a written array is copied too. Empty data is an
/// empty array.
/// </summary>
internal sealed class ZNodeByteArrayCodec : IZNodeCodec<byte[]>
{
    public static readonly ZNodeByteArrayCodec Instance = new();

    public string FormatName => "bytes";

    public byte[] Decode(ReadOnlyMemory<byte> payload) => payload.IsEmpty ? [] : payload.ToArray();

    public byte[] Encode(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == 0 ? [] : (byte[])value.Clone();
    }
}

/// <summary>
/// Raw bytes as <see cref="ReadOnlyMemory{T}"/>: the value is a read-only view of the node's data as read, with no
/// copy (the same memory as <see cref="ZNodeSnapshot{T}.RawPayload"/>). Empty data is empty memory. A written value is
/// copied.
/// </summary>
internal sealed class ZNodeMemoryCodec : IZNodeCodec<ReadOnlyMemory<byte>>
{
    public static readonly ZNodeMemoryCodec Instance = new();

    public string FormatName => "bytes";

    public ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> payload) => payload;

    public byte[] Encode(ReadOnlyMemory<byte> value) => value.ToArray();
}
