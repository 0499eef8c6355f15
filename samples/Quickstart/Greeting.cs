using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ZkTypedState;

namespace Quickstart;

/// <summary>The demo's live configuration, bound to one ZooKeeper node.</summary>
[ZNode("/quickstart/greeting")]
public partial record Greeting
{
    /// <summary>What to say.</summary>
    [Required]
    [StringLength(200)]
    public string Text { get; init; } = "hello";

    /// <summary>How loudly.</summary>
    [Range(1, 10)]
    public int Volume { get; init; } = 1;
}

/// <summary>Reflection-free JSON for the bound types.</summary>
[JsonSerializable(typeof(Greeting))]
internal sealed partial class QuickstartJson : JsonSerializerContext;
