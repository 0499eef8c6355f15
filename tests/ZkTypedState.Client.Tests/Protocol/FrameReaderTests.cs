using System.Buffers;
using ZkTypedState.Client.Framing;

namespace ZkTypedState.Client.Tests.Protocol;

public sealed class FrameReaderTests
{
    [Fact]
    public void Frames_split_across_segments_and_back_to_back_are_all_found()
    {
        byte[] stream = Convert.FromHexString("00000002" + "aabb" + "00000000" + "00000003" + "010203");
        // Split into single-byte segments: the reader must stitch the length prefix and payloads together.
        ReadOnlySequence<byte> buffer = Segmented(stream);
        var payloads = new List<byte[]>();

        while (FrameReader.TryReadFrame(ref buffer, 1024, out ReadOnlySequence<byte> payload))
        {
            payloads.Add(payload.ToArray());
        }

        Assert.Equal([[0xaa, 0xbb], [], [1, 2, 3]], payloads);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void An_incomplete_frame_waits_for_more_bytes()
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString("00000004" + "0102"));

        Assert.False(FrameReader.TryReadFrame(ref buffer, 1024, out _));
        Assert.Equal(6, buffer.Length);
    }

    [Theory]
    [InlineData("7ffffff0")]
    [InlineData("ffffffff")]
    [InlineData("00000401")]
    public void A_length_prefix_out_of_bounds_is_rejected_without_waiting_for_the_payload(string prefix)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(prefix));

        var error = Assert.Throws<ZooKeeperProtocolException>(() => FrameReader.TryReadFrame(ref buffer, 1024, out _));
        Assert.Contains("out of range", error.Message);
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        Segment last = first;
        for (int i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
