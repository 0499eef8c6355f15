using System.Text;

namespace ZkTypedState.Client.Jute;

/// <summary>
/// Decodes strings sent by the server. Java servers encode each UTF-16 code unit separately, so a
/// non-BMP character arrives as two 3-byte surrogate sequences (CESU-8). Standard UTF-8 decoders reject
/// those; this decoder joins them and otherwise never throws (invalid bytes become U+FFFD).
/// </summary>
internal static class ServerStrings
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        // Fast path: no 0xED lead byte means no encoded surrogate, so plain UTF-8 decoding is exact.
        if (bytes.IndexOf((byte)0xED) < 0)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return DecodeCesu8(bytes);
    }

    private static string DecodeCesu8(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        int start = 0;
        int i = 0;
        while (i < bytes.Length)
        {
            // ED A0..BF xx is a UTF-16 surrogate encoded as a 3-byte sequence.
            if (bytes[i] == 0xED && i + 2 < bytes.Length && bytes[i + 1] >= 0xA0 && bytes[i + 1] <= 0xBF && (bytes[i + 2] & 0xC0) == 0x80)
            {
                builder.Append(Encoding.UTF8.GetString(bytes.Slice(start, i - start)));
                char unit = (char)(0xD000 | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F));
                builder.Append(unit);
                i += 3;
                start = i;
                continue;
            }

            i++;
        }

        builder.Append(Encoding.UTF8.GetString(bytes.Slice(start)));
        return builder.ToString();
    }
}
