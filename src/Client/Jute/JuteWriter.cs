using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ZkTypedState.Client.Jute;

/// <summary>
/// Encodes jute records (big-endian, no tags, no padding) into a pooled, growable buffer.
/// One instance is owned by one writer loop and reused for every frame it sends, so steady-state
/// encoding allocates nothing.
/// </summary>
internal sealed class JuteWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public JuteWriter(int initialCapacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The encoded bytes.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>The encoded bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Drops everything written after <paramref name="length"/> (used to undo a request that cannot be sent).</summary>
    public void Truncate(int length) => _length = length;

    /// <summary>Reserves the 4-byte length prefix of a frame; pass the result to <see cref="EndFrame"/>.</summary>
    public int BeginFrame()
    {
        int start = _length;
        Grow(4);
        _length += 4;
        return start;
    }

    /// <summary>Patches the frame's length prefix with the number of bytes written since <see cref="BeginFrame"/>.</summary>
    public int EndFrame(int frameStart)
    {
        int payload = _length - frameStart - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(frameStart, 4), payload);
        return payload;
    }

    public void WriteInt32(int value)
    {
        Grow(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        Grow(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBool(bool value)
    {
        Grow(1);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>Writes a jute <c>ustring</c>: byte count then UTF-8 bytes; null is length −1.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Grow(4 + max);
        int count = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), count);
        _length += 4 + count;
    }

    /// <summary>Writes a jute <c>buffer</c>: length then raw bytes.</summary>
    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        Grow(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value.Length);
        value.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + value.Length;
    }

    /// <summary>Writes a null jute <c>buffer</c> (length −1).</summary>
    public void WriteNullBuffer() => WriteInt32(-1);

    public void WriteStringVector(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            WriteString(values[i]);
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> raw)
    {
        Grow(raw.Length);
        raw.CopyTo(_buffer.AsSpan(_length));
        _length += raw.Length;
    }

    private void Grow(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        int size = Math.Max(_buffer.Length * 2, _length + extra);
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
