using System.Text.Json.Serialization;

namespace ZkTypedState.Bench.Model;

// The node types of the scenarios, bound the way an application binds its own: [ZNode] types whose descriptors
// (T.ZNode) the source generator emits, with reflection-free JSON from BenchJsonContext. Each scenario binds only
// the type it watches (builder.AddZNode(T.ZNode)): AddGeneratedZNodes() would bind both, and the single node
// /bench/prop would then be read at startup of the load scenarios and show in their request counts.

/// <summary>The value watched in <c>propagation</c>: <c>{"seq":i,"run":"…","pad":"…"}</c>, about 100 bytes.</summary>
[ZNode(BenchNodes.PropPath)]
public sealed partial record PropValue
{
    /// <summary>The write's sequence number (0 for the baseline written before the client under test starts).</summary>
    [JsonPropertyName("seq")]
    public long Seq { get; init; } = -1;

    /// <summary>A per-run nonce, so a value left by another run or peer is never taken for one of ours.</summary>
    [JsonPropertyName("run")]
    public string Run { get; init; } = "";

    /// <summary>Filler to the contract's payload size.</summary>
    [JsonPropertyName("pad")]
    public string Pad { get; init; } = "";
}

/// <summary>One child of <c>/bench/load</c>: about 200 bytes of JSON.</summary>
[ZNode(BenchNodes.LoadRoot + "/{id}")]
public sealed partial record LoadValue
{
    /// <summary>The node's name (n00042), so a value can be checked against the node it came from.</summary>
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    /// <summary>0 as set up; 1 after a scenario changed the node.</summary>
    [JsonPropertyName("rev")]
    public long Rev { get; init; } = -1;

    /// <summary>The per-run nonce.</summary>
    [JsonPropertyName("run")]
    public string Run { get; init; } = "";

    [JsonPropertyName("owner")]
    public string Owner { get; init; } = "";

    [JsonPropertyName("weight")]
    public int Weight { get; init; }

    [JsonPropertyName("enabled")]
    public bool Enabled { get; init; }

    [JsonPropertyName("tags")]
    public string[] Tags { get; init; } = [];

    [JsonPropertyName("pad")]
    public string Pad { get; init; } = "";
}

/// <summary>Reflection-free JSON for the node types.</summary>
[JsonSerializable(typeof(PropValue))]
[JsonSerializable(typeof(LoadValue))]
public sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>Paths and payloads of the scenarios.</summary>
public static class BenchNodes
{
    public const string Root = "/bench";
    public const string PropPath = "/bench/prop";
    public const string LoadRoot = "/bench/load";

    /// <summary>n00000, n00001, … (the contract's names; at least five digits).</summary>
    public static string LoadName(int index) => "n" + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    public static string LoadPath(int index) => LoadRoot + "/" + LoadName(index);

    public static PropValue PropPayload(long seq, string run) => new() { Seq = seq, Run = run, Pad = Padding(52) };

    public static LoadValue LoadPayload(int index, long rev, string run) => new()
    {
        Id = LoadName(index),
        Rev = rev,
        Run = run,
        Owner = "team-" + (index % 17).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Weight = index % 100,
        Enabled = index % 3 != 0,
        Tags = ["bench", "load", "zone-" + (index % 5).ToString(System.Globalization.CultureInfo.InvariantCulture)],
        Pad = Padding(58),
    };

    public static byte[] Serialize(PropValue value) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, BenchJsonContext.Default.PropValue);

    public static byte[] Serialize(LoadValue value) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, BenchJsonContext.Default.LoadValue);

    private static string Padding(int length) => new('x', length);
}
