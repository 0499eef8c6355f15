using System.Globalization;

namespace ZkTypedState;

/// <summary>
/// A type that parses itself from text (<see cref="IParsable{TSelf}"/>): strict UTF-8, a leading BOM dropped and
/// surrounding whitespace trimmed, then <c>T.Parse(text, CultureInfo.InvariantCulture)</c>; written with
/// <see cref="IFormattable.ToString(string?, IFormatProvider?)"/> (invariant culture) when the type is formattable,
/// else <see cref="object.ToString"/>, so that must write what Parse reads. Empty data is a bad payload (Empty).
/// </summary>
internal sealed class ZNodeParsableCodec<T> : IZNodeCodec<T>
    where T : IParsable<T>
{
    public static readonly ZNodeParsableCodec<T> Instance = new();

    public string FormatName => "text";

    public T Decode(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new ZNodeCodecException(ZNodePayloadError.Empty, $"{typeof(T).Name} is parsed from the node's text, and the data is empty");
        }

        string text = ZNodeCodecText.DecodeStrict(payload.Span, "text");
        string trimmed = text.Trim();
        try
        {
            return T.Parse(trimmed, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new ZNodeCodecException($"{ZNodeCodecText.Quote(trimmed)} does not parse as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    public byte[] Encode(T value)
    {
        string text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? string.Empty;
        return ZNodeCodecText.Utf8.GetBytes(text);
    }
}
