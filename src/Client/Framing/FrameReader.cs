using System.Buffers;
using System.Buffers.Binary;

namespace ZkTypedState.Client.Framing;

/// <summary>
/// Splits a byte stream into ZooKeeper frames: a 4-byte big-endian signed length, then that many bytes.
/// The length is checked against the bound before any of the payload is awaited or buffered, so a bogus
/// prefix never turns into a huge allocation.
/// </summary>
internal static class FrameReader
{
    /// <summary>
    /// Takes one complete frame's payload off the front of <paramref name="buffer"/>, if one is there.
    /// </summary>
    /// <exception cref="ZooKeeperProtocolException">The length prefix is negative or above <paramref name="maxFrameSize"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        int length = ReadLength(buffer);
        if (length < 0 || length > maxFrameSize)
        {
            throw new ZooKeeperProtocolException(
                $"Frame length {length} is out of range (0 … {maxFrameSize}); raise ZooKeeperClientOptions.MaxFrameSize if the server really sends frames this large.");
        }

        if (buffer.Length - 4 < length)
        {
            return false;
        }

        payload = buffer.Slice(4, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private static int ReadLength(in ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= 4)
        {
            return BinaryPrimitives.ReadInt32BigEndian(first);
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }
}
