using System.Text;
using System.Text.Json.Serialization;

namespace ZkTypedState.Benchmarks;

/// <summary>A typical service configuration node: about 1 KB of JSON.</summary>
public sealed record ConfigPayload
{
    public string Service { get; init; } = "";

    public int Version { get; init; }

    public bool Enabled { get; init; }

    public Limits Limits { get; init; } = new();

    public List<ServiceEndpoint> Endpoints { get; init; } = [];

    public Dictionary<string, bool> Features { get; init; } = [];

    public List<string> Currencies { get; init; } = [];

    public List<string> Owners { get; init; } = [];

    public Rollout Rollout { get; init; } = new();

    public string Notes { get; init; } = "";

    /// <summary>The benchmarks' 1 KB document.</summary>
    public static readonly byte[] Json = Encoding.UTF8.GetBytes("""
        {"service":"payments","version":42,"enabled":true,
         "limits":{"maxRequestsPerSecond":5000,"maxConcurrent":200,"timeoutMs":2500,"retries":3,"backoffMs":150},
         "endpoints":[
           {"name":"primary","url":"https://payments-primary.internal.example:8443/api/v2","weight":80,"tls":true},
           {"name":"secondary","url":"https://payments-secondary.internal.example:8443/api/v2","weight":20,"tls":true},
           {"name":"audit","url":"https://audit.internal.example:9443/ingest","weight":0,"tls":true}],
         "features":{"newCheckout":true,"fraudScoring":true,"instantRefunds":false,"multiCurrency":true,"savedCards":true,"threeDs2":true},
         "currencies":["EUR","USD","GBP","CHF","SEK","NOK","DKK","PLN","CZK","HUF"],
         "owners":["team-payments@example.com","oncall-payments@example.com"],
         "rollout":{"percentage":25,"regions":["eu-west-1","eu-central-1","us-east-1"],"startsAt":"2025-01-15T08:00:00Z"},
         "notes":"Limits were raised for the seasonal peak; revisit after the review. Secondary takes over when primary fails its health check twice in a row."}
        """);
}

public sealed record Limits
{
    public int MaxRequestsPerSecond { get; init; }

    public int MaxConcurrent { get; init; }

    public int TimeoutMs { get; init; }

    public int Retries { get; init; }

    public int BackoffMs { get; init; }
}

public sealed record ServiceEndpoint
{
    public string Name { get; init; } = "";

    public string Url { get; init; } = "";

    public int Weight { get; init; }

    public bool Tls { get; init; }
}

public sealed record Rollout
{
    public int Percentage { get; init; }

    public List<string> Regions { get; init; } = [];

    public DateTimeOffset StartsAt { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConfigPayload))]
public sealed partial class BenchmarkJsonContext : JsonSerializerContext;

public static class Descriptors
{
    // Hand-built, as the [ZNode] generator would emit it (see bench/README.md).
    public static readonly ZNodeDescriptor<ConfigPayload> Config = new("/bm/config", BenchmarkJsonContext.Default.ConfigPayload, static () => new ConfigPayload());
}
