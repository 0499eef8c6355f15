using System.Text.Json.Serialization;

namespace ZkTypedState.Tests.Support;

public sealed record PaymentsConfig
{
    public int Limit { get; init; } = 100;

    public string Currency { get; init; } = "EUR";
}

public sealed record Counter
{
    public int Count { get; init; }
}

public sealed record TenantLimits
{
    public int MaxUsers { get; init; } = 10;
}

[JsonSerializable(typeof(PaymentsConfig))]
[JsonSerializable(typeof(Counter))]
[JsonSerializable(typeof(TenantLimits))]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Hand-built descriptors (the generator's output has its own tests).</summary>
public static class Descriptors
{
    public static ZNodeDescriptor<PaymentsConfig> Payments(string path) => new(
        path,
        TestJsonContext.Default.PaymentsConfig,
        static () => new PaymentsConfig(),
        static value => value.Limit is < 0 or > 1_000_000 ? [$"Limit must be between 0 and 1000000 (was {value.Limit})."] : []);

    public static ZNodeDescriptor<Counter> Counter(string path) => new(path, TestJsonContext.Default.Counter, static () => new Counter());

    /// <summary>A family of counters, one per child of <paramref name="root"/>.</summary>
    public static ZNodeDescriptor<Counter> Counters(string root) => new(root + "/{id}", TestJsonContext.Default.Counter, static () => new Counter());

    public static ZNodeDescriptor<TenantLimits> Tenants(string root) => new(root + "/{tenant}/limits", TestJsonContext.Default.TenantLimits, static () => new TenantLimits());
}
