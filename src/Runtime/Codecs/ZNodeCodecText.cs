using System.Globalization;
using System.Text;

namespace ZkTypedState;

/// <summary>Shared helpers of the text-based built-in codecs: strict UTF-8, the BOM, quoting bad data in messages.</summary>
internal static class ZNodeCodecText
{
    /// <summary>Longest excerpt of a bad payload quoted in a message (characters).</summary>
    public const int MaxQuoted = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The UTF-8 encoding used to write text: no BOM, throws on lone surrogates.</summary>
    public static UTF8Encoding Utf8 => StrictUtf8;

    /// <summary>The bytes without a leading UTF-8 byte order mark (EF BB BF), which editors and some tools prepend.</summary>
    public static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;

    /// <summary>Decodes strict UTF-8 (after the BOM) or throws a Malformed codec error naming the first bad byte's offset.</summary>
    public static string DecodeStrict(ReadOnlySpan<byte> bytes, string formatName)
    {
        ReadOnlySpan<byte> text = WithoutBom(bytes);
        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            int valid = ValidPrefixLength(text);
            throw new ZNodeCodecException($"the data is not valid UTF-8 (first invalid byte 0x{text[valid]:X2} at offset {valid + (bytes.Length - text.Length)}), so it cannot be {formatName}");
        }

        return StrictUtf8.GetString(text);
    }

    /// <summary>Quotes text for a message: control characters escaped, cut after <see cref="MaxQuoted"/> characters.</summary>
    public static string Quote(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 16).Append('\'');
        int shown = Math.Min(text.Length, MaxQuoted);
        foreach (char c in text[..shown])
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        builder.Append('\'');
        if (shown < text.Length)
        {
            builder.Append("… (").Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        }

        return builder.ToString();
    }

    private static int ValidPrefixLength(ReadOnlySpan<byte> bytes)
    {
        // Utf8.IsValid only says yes or no; the offset makes the message actionable (binary data, Latin-1 text…).
        System.Buffers.OperationStatus status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? bytes.Length - 1 : read;
    }
}
