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
    /// <summary>After a frame that grew the buffer past this, <see cref="Reset"/> goes back to the initial size.</summary>
    internal const int RetainedCapacity = 256 * 1024;

    private readonly int _initialCapacity;
    private byte[] _buffer;
    private int _length;
    private int _limit = int.MaxValue;

    public JuteWriter(int initialCapacity = 4096)
    {
        _initialCapacity = initialCapacity;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>The size of the current buffer.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>
    /// The most bytes the buffer may hold: a write that would pass it throws <see cref="FrameTooLargeException"/> before
    /// anything is copied, so an oversize request is never serialized. <see cref="int.MaxValue"/> for none.
    /// </summary>
    public int Limit
    {
        get => _limit;
        set => _limit = value;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The encoded bytes.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>The encoded bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Empties the buffer; one grown past <see cref="RetainedCapacity"/> by a large frame is dropped for a small one.</summary>
    public void Reset()
    {
        _length = 0;
        if (_buffer.Length > RetainedCapacity)
        {
            // Not returned to the pool: the shared pool would keep the large array alive for the process's lifetime.
            _buffer = ArrayPool<byte>.Shared.Rent(_initialCapacity);
        }
    }

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
        if ((long)_length + 4 + max > _limit)
        {
            // Near the limit the worst case could refuse a string that fits: count it exactly.
            max = Encoding.UTF8.GetByteCount(value);
        }

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
        long needed = (long)_length + extra;
        if (needed > _limit)
        {
            throw new FrameTooLargeException(needed);
        }

        if (needed <= _buffer.Length)
        {
            return;
        }

        int size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), Math.Max(needed, Math.Min(_limit, Array.MaxLength)));
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ReturnToPool(_buffer);
        _buffer = next;
    }

    private static void ReturnToPool(byte[] buffer)
    {
        if (buffer.Length is > 0 and <= RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        ReturnToPool(buffer);
    }
}

/// <summary>A write would pass <see cref="JuteWriter.Limit"/>; nothing of it was copied.</summary>
internal sealed class FrameTooLargeException(long bytesNeeded)
    : Exception($"The encoded request would need at least {bytesNeeded} bytes.")
{
    public long BytesNeeded { get; } = bytesNeeded;
}
