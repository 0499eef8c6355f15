namespace ZkTypedState;

/// <summary>
/// An enum written as its name, e.g. <c>Warning</c>: strict UTF-8, a BOM dropped, surrounding whitespace trimmed, names
/// matched case-insensitively. Numbers are refused (they would admit undefined values), and so are comma-separated
/// combinations unless the enum is <see cref="FlagsAttribute"/>. Written as the name (<c>A, B</c> for flags). Empty data
/// is a bad payload (Empty).
/// </summary>
/// <remarks>Works on <see cref="System.Type"/>-based enum APIs, so <see cref="ZNodeCodecs.For{T}"/> can pick it for any enum without a constraint (trim- and AOT-safe).</remarks>
internal sealed class ZNodeEnumCodec<T> : IZNodeCodec<T>
{
    public static readonly ZNodeEnumCodec<T> Instance = new();

    private static readonly bool Flags = typeof(T).IsDefined(typeof(FlagsAttribute), inherit: false);

    private ZNodeEnumCodec()
    {
        if (!typeof(T).IsEnum)
        {
            throw new NotSupportedException($"{typeof(T).Name} is not an enum.");
        }
    }

    public string FormatName => typeof(T).Name;

    public T Decode(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new ZNodeCodecException(ZNodePayloadError.Empty, $"{typeof(T).Name} has no empty value, expected {Expected()}");
        }

        string text = ZNodeCodecText.DecodeStrict(payload.Span, typeof(T).Name).Trim();
        bool names = text.Length > 0 && text.Split(',').All(part => part.Trim() is { Length: > 0 } name && (char.IsLetter(name[0]) || name[0] == '_'));
        if (!names || (!Flags && text.Contains(',')) || !Enum.TryParse(typeof(T), text, ignoreCase: true, out object? value))
        {
            throw new ZNodeCodecException($"{ZNodeCodecText.Quote(text)} is not {Expected()}");
        }

        return (T)value;
    }

    public byte[] Encode(T value)
    {
        string text = value?.ToString() ?? string.Empty;
        if (text.Length == 0 || !(char.IsLetter(text[0]) || text[0] == '_'))
        {
            throw new ArgumentException($"{text} is not a defined {typeof(T).Name} name, so it would be written as a number that reading refuses.", nameof(value));
        }

        return ZNodeCodecText.Utf8.GetBytes(text);
    }

    private static string Expected()
    {
        string[] names = Enum.GetNames(typeof(T));
        string list = string.Join(", ", names.Take(8)) + (names.Length > 8 ? ", …" : string.Empty);
        return Flags ? $"one or more of {list} (comma-separated)" : $"one of {list}";
    }
}
