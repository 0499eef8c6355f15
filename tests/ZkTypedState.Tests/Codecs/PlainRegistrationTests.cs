using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;

namespace ZkTypedState.Tests.Codecs;

/// <summary>Issue 16 item 1: what binding a plain value registers, and every unsupported combination failing loudly.</summary>
public sealed class PlainRegistrationTests
{
    [Fact]
    public void Plain_nodes_are_keyed_by_path_or_key_with_no_options_registrations()
    {
        var services = new ServiceCollection();
        services.AddZkTypedState()
            .AddZNode<string>("/app/motd")
            .AddZNode<string>("banner", "/app/banner")
            .AddZNode(ZNodeDescriptor.Text("/app/footer"))
            .AddZNode<double>("/app/rates/{currency}");

        Assert.Contains(services, s => s.ServiceType == typeof(IZNode<string>) && Equals(s.ServiceKey, "/app/motd"));
        Assert.Contains(services, s => s.ServiceType == typeof(IZNode<string>) && Equals(s.ServiceKey, "banner"));
        Assert.Contains(services, s => s.ServiceType == typeof(IZNode<string>) && Equals(s.ServiceKey, "/app/footer"));
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IZNode<string>) && !s.IsKeyedService);
        Assert.Contains(services, s => s.ServiceType == typeof(IZNodeFamily<double>));
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IOptionsMonitor<string>) || s.ServiceType == typeof(IOptions<string>) || s.ServiceType == typeof(IOptionsMonitor<double>));
    }

    [Fact]
    public void Unsupported_or_conflicting_plain_bindings_fail_with_a_clear_message()
    {
        ZkTypedStateBuilder builder = new ServiceCollection().AddZkTypedState();
        builder.AddZNode<int>("/app/workers");
        builder.AddZNode<int>("/app/workers"); // the same binding again: nothing new

        var noCodec = Assert.Throws<NotSupportedException>(() => builder.AddZNode<Uri>("/app/uri"));
        Assert.Contains("no built-in payload codec", noCodec.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<InvalidOperationException>(() => builder.AddZNode<int>("workers", "/app/workers"));
        Assert.Contains("/app/workers", twice.Message, StringComparison.Ordinal);

        builder.AddZNode<int>("k", "/app/a");
        Assert.Throws<InvalidOperationException>(() => builder.AddZNode<int>("k", "/app/b"));
        Assert.Throws<NotSupportedException>(() => builder.AddZNode<int>("t", "/app/{tenant}/workers"));
        builder.AddZNode<int>("/app/{tenant}/workers");
        var secondFamily = Assert.Throws<InvalidOperationException>(() => builder.AddZNode<int>("/other/{tenant}/workers"));
        Assert.Contains("/app/{tenant}/workers", secondFamily.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.AddZNode<int>(string.Empty, "/app/c"));
        Assert.Throws<ArgumentException>(() => builder.AddZNode<int>("relative/path"));
    }

    [Fact]
    public void A_codec_descriptor_has_no_JSON_metadata_and_says_so()
    {
        ZNodeDescriptor<string> text = ZNodeDescriptor.Text("/app/motd");
        Assert.False(text.IsJson);
        Assert.Same(ZNodeCodecs.Text, text.Codec);
        Assert.Equal(string.Empty, text.CreateDefault());
        Assert.Empty(ZNodeDescriptor.Bytes("/app/blob").CreateDefault());
        Assert.Equal(1.5, ZNodeDescriptor.For("/app/rate", 1.5).CreateDefault());
        var error = Assert.Throws<InvalidOperationException>(() => text.JsonTypeInfo);
        Assert.Contains("UTF-8 text", error.Message, StringComparison.Ordinal);

        ZNodeDescriptor<Support.PaymentsConfig> json = Support.Descriptors.Payments("/app/payments");
        Assert.True(json.IsJson);
        Assert.Same(json.JsonTypeInfo, json.JsonTypeInfo);
    }

    [Fact]
    public void Payload_errors_name_the_path_the_type_and_the_text()
    {
        var payload = new ZNodePayload<int>(ZNodeDescriptor.For<int>("/app/workers"), "/app/workers", string.Empty, [], 1024);
        var stat = new Stat { Mzxid = 7 };

        ZNodePayloadException malformed = payload.Parse(Encoding.UTF8.GetBytes("four\n"), stat).Error!;
        Assert.Equal(ZNodePayloadError.Malformed, malformed.Error);
        Assert.Equal("The payload of /app/workers is not a valid Int32: 'four' is not an integer such as 42 or -7", malformed.Message);
        Assert.Equal(7, malformed.Mzxid);

        ZNodePayloadException empty = payload.Parse([], stat).Error!;
        Assert.Equal(ZNodePayloadError.Empty, empty.Error);
        Assert.Contains("/app/workers has no data", empty.Message, StringComparison.Ordinal);

        Assert.Equal(ZNodePayloadError.TooLarge, payload.Parse(new byte[1025], stat).Error!.Error);
        Assert.Equal(12, payload.Parse(Encoding.UTF8.GetBytes("12"), stat).Value);

        // A codec that throws something other than ZNodeCodecException is a bad payload too, never a failed read.
        var throwing = new ZNodePayload<int>(new ZNodeDescriptor<int>("/app/x", new ThrowingCodec(), () => 0), "/app/x", string.Empty, [], 1024);
        ZNodePayloadException wrapped = throwing.Parse([1], stat).Error!;
        Assert.Equal(ZNodePayloadError.Malformed, wrapped.Error);
        Assert.IsType<InvalidDataException>(wrapped.InnerException);
        Assert.Contains("InvalidDataException: bad magic", wrapped.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingCodec : IZNodeCodec<int>
    {
        public int Decode(ReadOnlyMemory<byte> payload) => throw new InvalidDataException("bad magic");

        public byte[] Encode(int value) => [];
    }
}
