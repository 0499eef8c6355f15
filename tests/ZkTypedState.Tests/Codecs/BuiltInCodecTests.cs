using System.Globalization;
using System.Text;

namespace ZkTypedState.Tests.Codecs;

/// <summary>Issue 16 item 1: the rules of every built-in codec, as pure unit tests (no server).</summary>
public sealed class BuiltInCodecTests
{
    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static ZNodeCodecException Bad<T>(IZNodeCodec<T> codec, string text) => Bad(codec, Encoding.UTF8.GetBytes(text));

    private static ZNodeCodecException Bad<T>(IZNodeCodec<T> codec, byte[] bytes) => Assert.Throws<ZNodeCodecException>(() => codec.Decode(bytes));

    [Fact]
    public void Text_keeps_whitespace_and_drops_only_a_BOM()
    {
        Assert.Equal("hello\n", ZNodeCodecs.Text.Decode(Utf8("hello\n")));
        Assert.Equal("  two\r\nlines ", ZNodeCodecs.Text.Decode(Utf8("  two\r\nlines ")));
        Assert.Equal("grüß", ZNodeCodecs.Text.Decode((byte[])[0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("grüß")]));
        Assert.Equal(string.Empty, ZNodeCodecs.Text.Decode(ReadOnlyMemory<byte>.Empty));
        Assert.Equal(Encoding.UTF8.GetBytes("grüß\n"), ZNodeCodecs.Text.Encode("grüß\n"));
        Assert.Empty(ZNodeCodecs.Text.Encode(string.Empty));
    }

    [Fact]
    public void Text_rejects_invalid_UTF8_naming_the_offset()
    {
        ZNodeCodecException error = Bad(ZNodeCodecs.Text, [(byte)'a', (byte)'b', 0xFF, (byte)'c']);
        Assert.Equal(ZNodePayloadError.Malformed, error.Error);
        Assert.Contains("0xFF at offset 2", error.Message, StringComparison.Ordinal);

        // A lone surrogate cannot be written as UTF-8: a clear argument error, not replacement characters.
        Assert.Throws<ArgumentException>(() => ZNodeCodecs.Text.Encode("a\uD800b"));
    }

    [Fact]
    public void Bytes_are_copies_and_memory_is_a_view_of_the_data()
    {
        byte[] data = [1, 2, 3];
        byte[] decoded = ZNodeCodecs.Bytes.Decode(data);
        Assert.Equal(data, decoded);
        Assert.NotSame(data, decoded);
        Assert.Empty(ZNodeCodecs.Bytes.Decode(ReadOnlyMemory<byte>.Empty));
        byte[] written = ZNodeCodecs.Bytes.Encode(data);
        Assert.Equal(data, written);
        Assert.NotSame(data, written);

        ReadOnlyMemory<byte> view = ZNodeCodecs.ReadOnlyMemory.Decode(data);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(view, out ArraySegment<byte> segment));
        Assert.Same(data, segment.Array);
        Assert.Equal(data, ZNodeCodecs.ReadOnlyMemory.Encode(data));
        Assert.True(ZNodeCodecs.ReadOnlyMemory.Decode(ReadOnlyMemory<byte>.Empty).IsEmpty);
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-7\n", -7)]
    [InlineData(" +5 \r\n", 5)]
    [InlineData("2147483647", int.MaxValue)]
    public void Int32_parses_sign_and_digits_with_whitespace_trimmed(string text, int expected) =>
        Assert.Equal(expected, ZNodeCodecs.Int32.Decode(Utf8(text)));

    [Theory]
    [InlineData("6.35")]
    [InlineData("1,000")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("2147483648")]
    [InlineData("forty-two")]
    public void Int32_rejects_anything_else_quoting_it(string text)
    {
        ZNodeCodecException error = Bad(ZNodeCodecs.Int32, text);
        Assert.Equal(ZNodePayloadError.Malformed, error.Error);
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("an integer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scalars_have_no_empty_value_and_whitespace_alone_is_malformed()
    {
        Assert.Equal(ZNodePayloadError.Empty, Bad(ZNodeCodecs.Int32, string.Empty).Error);
        Assert.Equal(ZNodePayloadError.Empty, Bad(ZNodeCodecs.Double, string.Empty).Error);
        Assert.Equal(ZNodePayloadError.Empty, Bad(ZNodeCodecs.Boolean, string.Empty).Error);
        ZNodeCodecException blank = Bad(ZNodeCodecs.Int64, " \n");
        Assert.Equal(ZNodePayloadError.Malformed, blank.Error);
        Assert.Contains("' \\n'", blank.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_bad_value_is_quoted_truncated()
    {
        string text = new('x', 500);
        ZNodeCodecException error = Bad(ZNodeCodecs.Double, text);
        Assert.Contains("(500 characters)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 250, error.Message);
    }

    [Fact]
    public void Int64_decimal_and_double_round_trip_in_the_invariant_form()
    {
        Assert.Equal(long.MinValue, ZNodeCodecs.Int64.Decode(Utf8("-9223372036854775808")));
        Assert.Equal(6.35m, ZNodeCodecs.Decimal.Decode(Utf8("6.35\n")));
        Assert.Equal(-1500d, ZNodeCodecs.Double.Decode(Utf8("-1.5e3")));
        Assert.True(double.IsNaN(ZNodeCodecs.Double.Decode(Utf8("NaN"))));
        Assert.Equal(0.1 + 0.2, ZNodeCodecs.Double.Decode(ZNodeCodecs.Double.Encode(0.1 + 0.2)));
        Assert.Equal("6.35", Encoding.UTF8.GetString(ZNodeCodecs.Decimal.Encode(6.35m)));
        Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.Decimal, "1,000.5").Error);
    }

    [Fact]
    public void Numbers_are_parsed_and_written_invariantly_under_a_comma_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture)); // the culture really is a comma culture

            Assert.Equal(6.35, ZNodeCodecs.Double.Decode(Utf8("6.35")));
            Assert.Equal(6.35m, ZNodeCodecs.Decimal.Decode(Utf8("6.35")));
            Assert.Equal("6.35", Encoding.UTF8.GetString(ZNodeCodecs.Double.Encode(6.35)));
            Assert.Equal("6.35", Encoding.UTF8.GetString(ZNodeCodecs.Decimal.Encode(6.35m)));

            // "6,35" is what a German machine would write: not a number here (it would silently read as 635 with thousands separators).
            Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.Double, "6,35").Error);
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 12, 15, 0, TimeSpan.Zero), ZNodeCodecs.DateTimeOffset.Decode(Utf8("2026-12-01T12:15:00Z")));
            Assert.Equal(TimeSpan.FromSeconds(1.5), ZNodeCodecs.TimeSpan.Decode(Utf8("00:00:01.5")));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Boolean_is_true_or_false_in_any_case()
    {
        Assert.True(ZNodeCodecs.Boolean.Decode(Utf8("true\n")));
        Assert.False(ZNodeCodecs.Boolean.Decode(Utf8("FALSE")));
        Assert.Equal("true", Encoding.UTF8.GetString(ZNodeCodecs.Boolean.Encode(true)));
        Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.Boolean, "1").Error);
        Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.Boolean, "yes").Error);
    }

    [Fact]
    public void TimeSpan_takes_clock_or_ISO_forms_and_refuses_a_bare_number()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ZNodeCodecs.TimeSpan.Decode(Utf8("00:00:30")));
        Assert.Equal(new TimeSpan(1, 2, 3, 4), ZNodeCodecs.TimeSpan.Decode(Utf8("1.02:03:04")));
        Assert.Equal(TimeSpan.FromSeconds(30), ZNodeCodecs.TimeSpan.Decode(Utf8("PT30S")));
        Assert.Equal(TimeSpan.FromMinutes(-90), ZNodeCodecs.TimeSpan.Decode(Utf8("-PT1H30M")));
        Assert.Equal("00:00:30", Encoding.UTF8.GetString(ZNodeCodecs.TimeSpan.Encode(TimeSpan.FromSeconds(30))));
        Assert.Contains("'30'", Bad(ZNodeCodecs.TimeSpan, "30").Message, StringComparison.Ordinal);
        Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.TimeSpan, "PT").Error);
    }

    [Fact]
    public void Guid_and_DateTimeOffset_round_trip()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal(id, ZNodeCodecs.Guid.Decode(Utf8("{0f8fad5b-d9cb-469f-a165-70867728950e}\n")));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", Encoding.UTF8.GetString(ZNodeCodecs.Guid.Encode(id)));

        var at = new DateTimeOffset(2026, 12, 1, 13, 15, 0, TimeSpan.FromHours(1));
        Assert.Equal(at, ZNodeCodecs.DateTimeOffset.Decode(ZNodeCodecs.DateTimeOffset.Encode(at)));
        Assert.Equal(TimeSpan.FromHours(1), ZNodeCodecs.DateTimeOffset.Decode(ZNodeCodecs.DateTimeOffset.Encode(at)).Offset);

        // No offset: UTC, whatever the machine's time zone.
        Assert.Equal(TimeSpan.Zero, ZNodeCodecs.DateTimeOffset.Decode(Utf8("2026-12-01 12:15:00")).Offset);
        Assert.Equal(ZNodePayloadError.Malformed, Bad(ZNodeCodecs.DateTimeOffset, "yesterday").Error);
    }

    [Fact]
    public void Scalars_reject_invalid_UTF8_and_accept_a_BOM()
    {
        Assert.Equal(7, ZNodeCodecs.Int32.Decode((byte[])[0xEF, 0xBB, 0xBF, (byte)'7']));
        Assert.Contains("UTF-8", Bad(ZNodeCodecs.Int32, [(byte)'7', 0xC3]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_picks_the_built_in_codec_and_names_the_alternatives_otherwise()
    {
        Assert.Same(ZNodeCodecs.Text, ZNodeCodecs.For<string>());
        Assert.Same(ZNodeCodecs.Double, ZNodeCodecs.For<double>());
        Assert.Same(ZNodeCodecs.ReadOnlyMemory, ZNodeCodecs.For<ReadOnlyMemory<byte>>());
        Assert.True(ZNodeCodecs.IsPlainValueType(typeof(byte[])));
        Assert.False(ZNodeCodecs.IsPlainValueType(typeof(Uri)));
        var error = Assert.Throws<NotSupportedException>(() => ZNodeCodecs.For<Uri>());
        Assert.Contains("ZNodeCodecs.Json", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => ZNodeDescriptor.For<Uri>("/p"));
    }

    [Fact]
    public void Parsable_types_parse_their_trimmed_text_invariantly()
    {
        IZNodeCodec<System.Net.IPAddress> codec = ZNodeCodecs.Parsable<System.Net.IPAddress>();
        Assert.Equal(System.Net.IPAddress.Parse("10.0.0.1"), codec.Decode(Utf8("10.0.0.1\n")));
        Assert.Equal("10.0.0.1", Encoding.UTF8.GetString(codec.Encode(System.Net.IPAddress.Parse("10.0.0.1"))));
        ZNodeCodecException error = Bad(codec, "one.two");
        Assert.Contains("'one.two'", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZNodePayloadError.Empty, Bad(codec, string.Empty).Error);
    }

    [Fact]
    public void A_codec_error_is_only_Malformed_or_Empty()
    {
        Assert.Equal(ZNodePayloadError.Malformed, new ZNodeCodecException("x").Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZNodeCodecException(ZNodePayloadError.TooLarge, "x"));
    }
}
