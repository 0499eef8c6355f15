using System.Text;

namespace ZkTypedState.Tests.Codecs;

/// <summary>Enums by name: the built-in codec <see cref="ZNodeCodecs.For{T}"/> picks for any enum.</summary>
public sealed class EnumCodecTests
{
    public enum Level
    {
        Debug,
        Info,
        Warning,
    }

    [Flags]
    public enum Features
    {
        None = 0,
        Search = 1,
        Checkout = 2,
    }

    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Names_match_case_insensitively_after_trimming()
    {
        IZNodeCodec<Level> codec = ZNodeCodecs.For<Level>();
        Assert.Same(ZNodeCodecs.Enum<Level>(), codec);
        Assert.True(ZNodeCodecs.IsPlainValueType(typeof(Level)));
        Assert.Equal(Level.Warning, codec.Decode(Utf8("warning\n")));
        Assert.Equal("Info", Encoding.UTF8.GetString(codec.Encode(Level.Info)));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("Info, Warning")]
    [InlineData("Verbose")]
    public void Numbers_unknown_names_and_combinations_of_a_plain_enum_are_refused(string text)
    {
        ZNodeCodecException error = Assert.Throws<ZNodeCodecException>(() => ZNodeCodecs.Enum<Level>().Decode(Utf8(text)));
        Assert.Contains("one of Debug, Info, Warning", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZNodePayloadError.Empty, Assert.Throws<ZNodeCodecException>(() => ZNodeCodecs.Enum<Level>().Decode(ReadOnlyMemory<byte>.Empty)).Error);
    }

    [Fact]
    public void Flags_take_comma_separated_names_and_write_them_back()
    {
        IZNodeCodec<Features> codec = ZNodeCodecs.Enum<Features>();
        Assert.Equal(Features.Search | Features.Checkout, codec.Decode(Utf8("search, Checkout")));
        Assert.Equal("Search, Checkout", Encoding.UTF8.GetString(codec.Encode(Features.Search | Features.Checkout)));
        Assert.Throws<ZNodeCodecException>(() => codec.Decode(Utf8("3")));

        // An undefined value would be written as a number that reading refuses: refused on write.
        Assert.Throws<ArgumentException>(() => codec.Encode((Features)8));
    }
}
