using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace ZkTypedState.Tests.Json;

// [ZNode] types for the payload decode tests (issue 12), bound through the generator's descriptors. The paths are
// placeholders: the tests bind each descriptor's JSON, defaults and validation at a unique path of their own.

/// <summary>The README's limits record: init-only members with initializers.</summary>
[ZNode("/json-tests/limits")]
public sealed partial record DecodeLimits
{
    /// <summary>Limit.</summary>
    [Range(1, 10)] public int Limit { get; init; } = 1;

    /// <summary>Currency.</summary>
    public string Currency { get; init; } = "EUR";

    /// <summary>Workers.</summary>
    public int Workers { get; set; } = 2;
}

/// <summary>The same shape without a context: reflection-based metadata (ZKTS014, suppressed here on purpose).</summary>
#pragma warning disable ZKTS014
[ZNode("/json-tests/limits-reflection")]
public sealed partial record DecodeLimitsReflection
#pragma warning restore ZKTS014
{
    /// <summary>Limit.</summary>
    [Range(1, 10)] public int Limit { get; init; } = 1;

    /// <summary>Currency.</summary>
    public string Currency { get; init; } = "EUR";
}

/// <summary>Strict: unknown members fault the payload.</summary>
[ZNode("/json-tests/strict", Strict = true)]
public sealed partial class DecodeStrict
{
    /// <summary>Name.</summary>
    public string Name { get; init; } = "none";

    /// <summary>Workers.</summary>
    public int Workers { get; init; } = 1;
}

/// <summary>A required member.</summary>
[ZNode("/json-tests/required")]
public sealed partial class DecodeRequired
{
    /// <summary>Name.</summary>
    public required string Name { get; init; }
}

/// <summary>An endpoint, validated as a nested object.</summary>
public sealed class DecodeEndpoint
{
    /// <summary>Port.</summary>
    [Range(1, 65535)] public int Port { get; set; } = 80;
}

/// <summary>Nested objects and IValidatableObject.</summary>
[ZNode("/json-tests/nested")]
public sealed partial class DecodeNested : IValidatableObject
{
    /// <summary>Primary.</summary>
    [ValidateObjectMembers] public DecodeEndpoint Primary { get; set; } = new();

    /// <summary>Replicas.</summary>
    [ValidateEnumeratedItems] public List<DecodeEndpoint> Replicas { get; set; } = [];

    /// <summary>Min.</summary>
    public int Min { get; set; }

    /// <summary>Max.</summary>
    public int Max { get; set; } = 10;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Min > Max)
        {
            yield return new ValidationResult($"Min ({Min}) must not exceed Max ({Max}).");
        }
    }
}

/// <summary>Reflection-free metadata for the decode tests' types.</summary>
[JsonSerializable(typeof(DecodeLimits))]
[JsonSerializable(typeof(DecodeStrict))]
[JsonSerializable(typeof(DecodeRequired))]
[JsonSerializable(typeof(DecodeNested))]
internal sealed partial class DecodeJsonContext : JsonSerializerContext;
