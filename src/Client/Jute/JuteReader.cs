using System.Buffers.Binary;

namespace ZkTypedState.Client.Jute;

/// <summary>
/// Decodes jute records from one frame's payload. Every length is checked against the bytes
/// actually left in the frame before anything is allocated, so a bogus length from the network
/// becomes a <see cref="ZooKeeperProtocolException"/> instead of a huge allocation.
/// </summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Remaining => _span.Length - _position;

    public readonly int Position => _position;

    public int ReadInt32()
    {
        Need(4, "int");
        int value = BinaryPrimitives.ReadInt32BigEndian(_span.Slice(_position));
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Need(8, "long");
        long value = BinaryPrimitives.ReadInt64BigEndian(_span.Slice(_position));
        _position += 8;
        return value;
    }

    public bool ReadBool()
    {
        Need(1, "boolean");
        return _span[_position++] != 0;
    }

    /// <summary>Reads a jute <c>ustring</c>; length −1 is null. Server strings may be CESU-8 (see <see cref="ServerStrings"/>).</summary>
    public string? ReadString()
    {
        int length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, "ustring");
        string value = ServerStrings.Decode(_span.Slice(_position, length));
        _position += length;
        return value;
    }

    /// <summary>Reads a non-null string, mapping a null to the empty string.</summary>
    public string ReadRequiredString() => ReadString() ?? string.Empty;

    /// <summary>Reads a jute <c>buffer</c>; length −1 (null) is returned as null.</summary>
    public byte[]? ReadBuffer()
    {
        int length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, "buffer");
        byte[] value = length == 0 ? [] : _span.Slice(_position, length).ToArray();
        _position += length;
        return value;
    }

    /// <summary>Reads a vector of strings; a null vector is returned empty.</summary>
    public List<string> ReadStringVector()
    {
        int count = ReadInt32();
        if (count == -1)
        {
            return [];
        }

        // Each element takes at least its 4-byte length: a count the frame cannot hold is malformed.
        if (count < 0 || count > Remaining / 4)
        {
            throw new ZooKeeperProtocolException($"Vector count {count} does not fit in the {Remaining} bytes left of the frame.");
        }

        var list = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(ReadRequiredString());
        }

        return list;
    }

    /// <summary>Reads a vector count for records of at least <paramref name="minElementSize"/> bytes.</summary>
    public int ReadVectorCount(int minElementSize)
    {
        int count = ReadInt32();
        if (count == -1)
        {
            return 0;
        }

        if (count < 0 || count > Remaining / minElementSize)
        {
            throw new ZooKeeperProtocolException($"Vector count {count} does not fit in the {Remaining} bytes left of the frame.");
        }

        return count;
    }

    private readonly void Need(int bytes, string what)
    {
        if (_span.Length - _position < bytes)
        {
            throw new ZooKeeperProtocolException($"Frame truncated: needed {bytes} bytes for a jute {what} at offset {_position}, {Remaining} left.");
        }
    }

    private readonly void CheckLength(int length, string what)
    {
        if (length < 0 || length > Remaining)
        {
            throw new ZooKeeperProtocolException($"Jute {what} length {length} at offset {_position - 4} exceeds the {Remaining} bytes left of the frame.");
        }
    }
}
