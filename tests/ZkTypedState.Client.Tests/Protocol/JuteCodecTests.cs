using System.Text;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client.Tests.Protocol;

public sealed class JuteCodecTests
{
    [Fact]
    public void A_new_session_ConnectRequest_encodes_to_the_documented_49_byte_frame()
    {
        using var writer = new JuteWriter();
        int start = writer.BeginFrame();
        new ConnectRequest(0, 0, 30000, 0, new byte[16], false).Write(writer);
        writer.EndFrame(start);

        Assert.Equal(
            Convert.FromHexString("0000002d" + "00000000" + "0000000000000000" + "00007530" + "0000000000000000" + "00000010" + new string('0', 32) + "00"),
            writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_getData_request_with_watch_encodes_as_the_protocol_example()
    {
        using var writer = new JuteWriter();
        int start = writer.BeginFrame();
        writer.WriteInt32(1);
        writer.WriteInt32((int)OpCode.GetData);
        writer.WriteString("/a");
        writer.WriteBool(true);
        writer.EndFrame(start);

        Assert.Equal(Convert.FromHexString("0000000f" + "00000001" + "00000004" + "00000002" + "2f61" + "01"), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_notification_decodes_to_header_and_event()
    {
        byte[] frame = Convert.FromHexString("ffffffff" + "ffffffffffffffff" + "00000000" + "00000003" + "00000003" + "00000002" + "2f61");
        var reader = new JuteReader(frame);

        ReplyHeader header = ReplyHeader.Read(ref reader);
        WatcherEvent e = WatcherEvent.Read(ref reader);

        Assert.Equal(new ReplyHeader(-1, -1, 0), header);
        Assert.Equal(new WatcherEvent(3, 3, "/a"), e);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Strings_buffers_and_vectors_round_trip_with_null_as_minus_one()
    {
        using var writer = new JuteWriter(8);
        writer.WriteString("héllo 中");
        writer.WriteString(null);
        writer.WriteBuffer([1, 2, 3]);
        writer.WriteNullBuffer();
        writer.WriteStringVector(["a", "bc"]);
        writer.WriteInt64(long.MinValue);
        writer.WriteBool(true);

        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Equal("héllo 中", reader.ReadString());
        Assert.Null(reader.ReadString());
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.ReadBuffer());
        Assert.Null(reader.ReadBuffer());
        Assert.Equal(["a", "bc"], reader.ReadStringVector());
        Assert.Equal(long.MinValue, reader.ReadInt64());
        Assert.True(reader.ReadBool());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void A_stat_round_trips_field_by_field()
    {
        var stat = new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        using var writer = new JuteWriter();
        stat.Write(writer);
        Assert.Equal(Stat.Size, writer.Length);

        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Equal(stat, Stat.Read(ref reader));
    }

    [Theory]
    [InlineData("00000010" + "6869", "ustring")]      // claims 16 bytes, has 2
    [InlineData("7fffffff", "buffer")]                 // claims 2 GiB, has none
    [InlineData("fffffffe" + "00", "ustring")]         // negative length other than -1
    [InlineData("000000", "int")]                      // truncated int
    public void Lengths_beyond_the_frame_are_protocol_errors_not_allocations(string hex, string what)
    {
        byte[] bytes = Convert.FromHexString(hex);

        var error = Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            _ = what == "buffer" ? reader.ReadBuffer()?.Length : reader.ReadString()?.Length;
        });
        Assert.Contains(what == "int" ? "truncated" : "length", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_vector_count_the_frame_cannot_hold_is_rejected_before_allocating()
    {
        byte[] bytes = Convert.FromHexString("0fffffff" + "00000001" + "61");

        Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            reader.ReadStringVector();
        });
    }

    [Fact]
    public void Cesu8_surrogate_pairs_from_the_server_decode_to_the_original_character()
    {
        // U+1F600 as the Java server sends it: two 3-byte surrogate sequences.
        byte[] cesu = Convert.FromHexString("eda0bdedb880");
        Assert.Equal("\U0001F600", ServerStringsDecode(cesu));
        Assert.Equal("a\U0001F600b", ServerStringsDecode([(byte)'a', .. cesu, (byte)'b']));
        Assert.Equal("\uFFFD", ServerStringsDecode([0xff]));
    }

    private static string ServerStringsDecode(byte[] bytes) => ServerStrings.Decode(bytes);

    [Fact]
    public void Writer_grows_past_its_initial_capacity()
    {
        using var writer = new JuteWriter(4);
        string big = new('x', 100_000);
        writer.WriteString(big);

        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Equal(big, reader.ReadString());
        Assert.Equal(Encoding.UTF8.GetByteCount(big) + 4, writer.Length);
    }
}
