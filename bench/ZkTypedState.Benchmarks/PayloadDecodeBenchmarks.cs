using System.Text.Json;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;

namespace ZkTypedState.Benchmarks;

/// <summary>Decoding a typical 1 KB config payload through the descriptor's source-generated JsonTypeInfo.</summary>
public class PayloadDecodeBenchmarks
{
    private readonly byte[] _payload = ConfigPayload.Json;

    [GlobalSetup]
    public void Setup()
    {
        if (Decode().Features.Count != 6)
        {
            throw new InvalidOperationException("the payload did not decode");
        }
    }

    [Benchmark(Description = "decode 1 KB JSON (descriptor.JsonTypeInfo)")]
    public ConfigPayload Decode() => JsonSerializer.Deserialize(_payload, Descriptors.Config.JsonTypeInfo)!;

    /// <summary>What the runtime does per applied payload before validation: UTF-8 check, then deserialize.</summary>
    [Benchmark(Description = "UTF-8 check + decode 1 KB JSON")]
    public ConfigPayload ValidateAndDecode() => Utf8.IsValid(_payload)
        ? JsonSerializer.Deserialize(_payload, Descriptors.Config.JsonTypeInfo)!
        : throw new InvalidOperationException();
}
