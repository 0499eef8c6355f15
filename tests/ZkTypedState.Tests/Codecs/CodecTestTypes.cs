using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ZkTypedState.Tests.Codecs;

/// <summary>An endpoint stored as <c>host:port</c> text, read and written by a codec of its own.</summary>
[ZNode("/codec-tests/endpoint", Codec = typeof(EndpointCodec))]
public sealed partial record Endpoint(string Host = "localhost", int Port = 80);

/// <summary>
/// A custom codec: <c>host:port</c>. A missing ':' is reported with <see cref="ZNodeCodecException"/>; a bad port with
/// int.Parse's own FormatException, which the runtime must report the same way.
/// </summary>
public sealed class EndpointCodec : IZNodeCodec<Endpoint>
{
    public string FormatName => "host:port";

    public Endpoint Decode(ReadOnlyMemory<byte> payload)
    {
        string text = Encoding.UTF8.GetString(payload.Span).Trim();
        int colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new ZNodeCodecException($"'{text}' has no ':' between host and port");
        }

        return new Endpoint(text[..colon], int.Parse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    public byte[] Encode(Endpoint value) => Encoding.UTF8.GetBytes($"{value.Host}:{value.Port.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>A semantic version parsed from the node's text by the type itself ([ZNode(Format = Text)]).</summary>
[ZNode("/codec-tests/release", Format = ZNodeFormat.Text)]
public sealed partial record Release(int Major = 0, int Minor = 0) : IParsable<Release>
{
    public static Release Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out Release? result) ? result : throw new FormatException($"'{s}' is not major.minor.");

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out Release result)
    {
        result = null;
        string[] parts = s?.Split('.') ?? [];
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, provider, out int major) || !int.TryParse(parts[1], NumberStyles.None, provider, out int minor))
        {
            return false;
        }

        result = new Release(major, minor);
        return true;
    }

    public override string ToString() => $"{Major.ToString(CultureInfo.InvariantCulture)}.{Minor.ToString(CultureInfo.InvariantCulture)}";
}
