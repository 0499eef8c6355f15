using System.Globalization;

namespace ZkTypedState;

/// <summary>Parses the trimmed text of a scalar node; false for text that is not a valid value.</summary>
internal delegate bool ScalarParser<T>(ReadOnlySpan<char> text, out T value);

/// <summary>
/// A scalar written as invariant-culture text, e.g. <c>6.35</c>, <c>42</c>, <c>true</c>: strict UTF-8, a leading BOM
/// dropped, surrounding whitespace (a trailing newline from <c>echo</c>, CRLF) trimmed, then parsed with
/// <see cref="CultureInfo.InvariantCulture"/> — never the machine's culture. Empty data has no value (Empty), and
/// anything else that does not parse is Malformed, with the offending text quoted. Writes the invariant form with no
/// newline.
/// </summary>
internal sealed class ZNodeScalarCodec<T>(string formatName, string expected, ScalarParser<T> parse, Func<T, string> format) : IZNodeCodec<T>
{
    public string FormatName => formatName;

    public T Decode(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new ZNodeCodecException(ZNodePayloadError.Empty, $"{formatName} has no empty value, expected {expected}");
        }

        string text = ZNodeCodecText.DecodeStrict(payload.Span, formatName);
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            throw new ZNodeCodecException($"the data is only whitespace ({ZNodeCodecText.Quote(text)}), not {expected}");
        }

        return parse(trimmed, out T value)
            ? value
            : throw new ZNodeCodecException($"{ZNodeCodecText.Quote(trimmed)} is not {expected}");
    }

    public byte[] Encode(T value) => ZNodeCodecText.Utf8.GetBytes(format(value));
}

/// <summary>The built-in scalar codecs' parse and format rules (all invariant culture).</summary>
internal static class ZNodeScalars
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Integers: an optional sign and digits — no thousands separators, decimals, exponents or hex.
    public static readonly ZNodeScalarCodec<int> Int32 = new(
        "Int32", "an integer such as 42 or -7",
        static (ReadOnlySpan<char> s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, Invariant, out v),
        static v => v.ToString(Invariant));

    public static readonly ZNodeScalarCodec<long> Int64 = new(
        "Int64", "an integer such as 42 or -7",
        static (ReadOnlySpan<char> s, out long v) => long.TryParse(s, NumberStyles.AllowLeadingSign, Invariant, out v),
        static v => v.ToString(Invariant));

    // Doubles: '.' as the decimal point, an exponent allowed, NaN/Infinity as .NET writes them; no thousands separators.
    public static readonly ZNodeScalarCodec<double> Double = new(
        "Double", "a number such as 6.35 or -1.5e3 ('.' as the decimal point)",
        static (ReadOnlySpan<char> s, out double v) => double.TryParse(s, NumberStyles.Float, Invariant, out v),
        static v => v.ToString("R", Invariant));

    public static readonly ZNodeScalarCodec<decimal> Decimal = new(
        "Decimal", "a number such as 6.35 ('.' as the decimal point)",
        static (ReadOnlySpan<char> s, out decimal v) => decimal.TryParse(s, NumberStyles.Float, Invariant, out v),
        static v => v.ToString(Invariant));

    // Booleans: true or false, any case (as bool.Parse); not 1/0 or yes/no, which would be guesses.
    public static readonly ZNodeScalarCodec<bool> Boolean = new(
        "Boolean", "true or false",
        static (ReadOnlySpan<char> s, out bool v) => bool.TryParse(s, out v),
        static v => v ? "true" : "false");

    // TimeSpans: [-][d.]hh:mm[:ss[.fffffff]] or ISO 8601 (PT30S). A bare number is refused: .NET would read "30" as 30 days.
    public static readonly ZNodeScalarCodec<TimeSpan> TimeSpan = new(
        "TimeSpan", "a duration such as 00:00:30, 1.02:03:04 or PT30S",
        ParseTimeSpan,
        static v => v.ToString("c", Invariant));

    public static readonly ZNodeScalarCodec<Guid> Guid = new(
        "Guid", "a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e",
        static (ReadOnlySpan<char> s, out Guid v) => System.Guid.TryParse(s, out v),
        static v => v.ToString("D", Invariant));

    // Timestamps: ISO 8601 / round-trip ("O") and other invariant forms; without an offset the time is taken as UTC, never local.
    public static readonly ZNodeScalarCodec<DateTimeOffset> DateTimeOffset = new(
        "DateTimeOffset", "a timestamp such as 2026-12-01T12:15:00Z or 2026-12-01T13:15:00+01:00",
        static (ReadOnlySpan<char> s, out DateTimeOffset v) => System.DateTimeOffset.TryParse(s, Invariant, DateTimeStyles.AssumeUniversal, out v),
        static v => v.ToString("O", Invariant));

    private static bool ParseTimeSpan(ReadOnlySpan<char> s, out TimeSpan value)
    {
        if (s.Contains(':'))
        {
            return System.TimeSpan.TryParse(s, Invariant, out value);
        }

        if (s.Length > 1 && (s[0] == 'P' || (s[0] == '-' && s[1] == 'P')))
        {
            try
            {
                value = System.Xml.XmlConvert.ToTimeSpan(s.ToString());
                return true;
            }
            catch (FormatException)
            {
            }
            catch (OverflowException)
            {
            }
        }

        value = default;
        return false;
    }
}
