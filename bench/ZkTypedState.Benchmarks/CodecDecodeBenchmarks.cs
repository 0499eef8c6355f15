using System.Text;
using BenchmarkDotNet.Attributes;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// What the runtime runs per applied payload through <see cref="ZNodeDescriptor{T}.Codec"/>: the 1 KB JSON config (the
/// JSON codec's UTF-8 check plus deserialize), and the built-in text and scalar codecs on typical small nodes.
/// </summary>
public class CodecDecodeBenchmarks
{
    private static readonly ReadOnlyMemory<byte> Rate = Encoding.UTF8.GetBytes("6.35\n");
    private static readonly ReadOnlyMemory<byte> Workers = Encoding.UTF8.GetBytes("16\n");
    private static readonly ReadOnlyMemory<byte> Motd = Encoding.UTF8.GetBytes("Maintenance tonight at 22:00 UTC.\n");
    private readonly ReadOnlyMemory<byte> _json = ConfigPayload.Json;

    [GlobalSetup]
    public void Setup()
    {
        if (Json().Features.Count != 6 || Double() != 6.35 || Int32() != 16)
        {
            throw new InvalidOperationException("a payload did not decode");
        }
    }

    [Benchmark(Description = "JSON codec: 1 KB config")]
    public ConfigPayload Json() => Descriptors.Config.Codec.Decode(_json);

    [Benchmark(Description = "Double codec: \"6.35\\n\"")]
    public double Double() => ZNodeCodecs.Double.Decode(Rate);

    [Benchmark(Description = "Int32 codec: \"16\\n\"")]
    public int Int32() => ZNodeCodecs.Int32.Decode(Workers);

    [Benchmark(Description = "Text codec: 34-byte line")]
    public string Text() => ZNodeCodecs.Text.Decode(Motd);
}
