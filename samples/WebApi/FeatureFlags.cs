using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ZkTypedState;

namespace WebApi;

/// <summary>Feature flags served by the API, live from ZooKeeper.</summary>
[ZNode("/webapi/features")]
public partial record FeatureFlags
{
    /// <summary>Whether the new checkout is on.</summary>
    public bool NewCheckout { get; init; }

    /// <summary>Share of traffic that sees the new checkout, in percent.</summary>
    [Range(0, 100)]
    public int RolloutPercent { get; init; }
}

/// <summary>Per-tenant limits, one node per tenant.</summary>
[ZNode("/webapi/tenants/{tenant}/limits")]
public partial record TenantLimits
{
    /// <summary>Requests per second the tenant may make.</summary>
    [Range(1, 100_000)]
    public int RequestsPerSecond { get; init; } = 10;
}

/// <summary>Checkout settings from plain configuration (the ZooKeeper configuration provider over /webapi/config).</summary>
public sealed class CheckoutOptions
{
    /// <summary>The currency prices are shown in.</summary>
    public string Currency { get; set; } = "EUR";

    /// <summary>Cart limits.</summary>
    public CheckoutLimits Limits { get; set; } = new();
}

/// <summary>Cart limits, flattened from a JSON node.</summary>
public sealed class CheckoutLimits
{
    /// <summary>The most items in a cart.</summary>
    public int MaxItems { get; set; } = 10;

    /// <summary>Countries shipped to.</summary>
    public List<string> Countries { get; set; } = [];
}

/// <summary>Reflection-free JSON for the bound types and the API's responses.</summary>
[JsonSerializable(typeof(FeatureFlags))]
[JsonSerializable(typeof(TenantLimits))]
[JsonSerializable(typeof(CheckoutOptions))]
[JsonSerializable(typeof(NodeView<FeatureFlags>))]
[JsonSerializable(typeof(NodeView<TenantLimits>))]
internal sealed partial class WebApiJson : JsonSerializerContext;

/// <summary>A bound value with its status, as the API returns it.</summary>
/// <typeparam name="T">The bound type.</typeparam>
/// <param name="Path">The node's path.</param>
/// <param name="Status">The value's status.</param>
/// <param name="Value">The value.</param>
/// <param name="Version">The node's data version, if it exists.</param>
/// <param name="Error">Why the node is faulted or invalidated, if it is.</param>
public sealed record NodeView<T>(string Path, string Status, T Value, int? Version, string? Error);
