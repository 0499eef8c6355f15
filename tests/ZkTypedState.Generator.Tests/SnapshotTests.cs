using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// The generated sources for representative inputs, snapshotted (__snapshots__/*.snap, version as %VERSION%), each also
/// compiled with the runtime without errors or warnings, loaded, and exercised through its descriptor.
/// </summary>
public class SnapshotTests
{
    [Fact]
    public void Record()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ZkTypedState;

            namespace Contoso.Payments;

            /// <summary>How payments are taken.</summary>
            [ZNode("/config/payments")]
            public partial record PaymentSettings
            {
                /// <summary>The payment provider.</summary>
                public string Provider { get; init; } = "stripe";

                /// <summary>The largest amount accepted.</summary>
                public decimal MaxAmount { get; init; } = 1000m;

                /// <summary>Whether payments are accepted at all.</summary>
                public bool Enabled { get; init; } = true;
            }
            """);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Payments.PaymentSettings");
        Assert.Equal("/config/payments", type.PathTemplate);
        Assert.Empty(type.Parameters);
        Assert.False(type.HasValidation);
        object value = type.CreateDefault();
        Assert.Equal("""{"Provider":"stripe","MaxAmount":1000,"Enabled":true}""", type.Serialize(value));
        object read = type.Deserialize("""{"Provider":"adyen","MaxAmount":5.5}""");
        Assert.Equal("adyen", type.Member(read, "Provider"));
        Assert.Equal(5.5m, type.Member(read, "MaxAmount"));
        Assert.Equal(true, type.Member(read, "Enabled"));

        Diagnostic info = Assert.Single(run.Diagnostics);
        Assert.Equal("ZKTS014", info.Id);
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
    }

    [Fact]
    public void ClassWithDefaultsAndDataAnnotations()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using System.ComponentModel.DataAnnotations;
            using ZkTypedState;

            namespace Contoso.Limits;

            /// <summary>Rejects zero.</summary>
            [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
            public sealed class NotZeroAttribute(string what) : ValidationAttribute
            {
                /// <inheritdoc/>
                public override bool IsValid(object? value) => value is not 0;

                /// <inheritdoc/>
                public override string FormatErrorMessage(string name) => $"{name} ({what}) must not be zero.";
            }

            /// <summary>Base settings.</summary>
            public abstract class LimitsBase
            {
                /// <summary>Who owns the limits.</summary>
                [Required(AllowEmptyStrings = false)]
                public string Owner { get; set; } = "platform";
            }

            /// <summary>Rate limits.</summary>
            [ZNode("/config/limits")]
            public sealed partial class RateLimits : LimitsBase
            {
                /// <summary>Requests per second.</summary>
                [Range(1, 10_000)]
                [NotZero("rps")]
                public int RequestsPerSecond { get; set; } = 100;

                /// <summary>Burst as a fraction of the rate.</summary>
                [Range(0.0, 1.0, ErrorMessage = "Burst ratio must be within [0, 1].")]
                public double BurstRatio { get; set; } = 0.5;

                /// <summary>The region code.</summary>
                [StringLength(16, MinimumLength = 2)]
                [RegularExpression("^[a-z]+(-[a-z]+)*$")]
                public string Region { get; set; } = "eu-west";

                /// <summary>Labels.</summary>
                [MinLength(1), MaxLength(4)]
                public List<string> Tags { get; set; } = ["default"];

                /// <summary>The tier.</summary>
                [AllowedValues("free", "pro", null)]
                public string? Tier { get; set; } = "free";

                /// <summary>How long a window lasts.</summary>
                [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
                public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

                /// <summary>Not validated.</summary>
                public string Comment { get; set; } = "";
            }
            """);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Limits.RateLimits");
        Assert.True(type.HasValidation);
        object value = type.CreateDefault();
        Assert.Equal(100, type.Member(value, "RequestsPerSecond"));
        Assert.Empty(type.Validate(value));

        object invalid = type.Deserialize("""
            {"Owner":"","RequestsPerSecond":0,"BurstRatio":2,"Region":"x","Tags":[],"Tier":"gold","Window":"02:00:00"}
            """);
        IReadOnlyList<string> errors = type.Validate(invalid);
        Assert.Equal(
            [
                "The Owner field is required.",
                "The field RequestsPerSecond must be between 1 and 10000.",
                "RequestsPerSecond (rps) must not be zero.",
                "Burst ratio must be within [0, 1].",
                "The field Region must be a string with a minimum length of 2 and a maximum length of 16.",
                "The field Tags must be a string or array type with a minimum length of '1'.",
                "The Tier field does not equal any of the values specified in AllowedValuesAttribute.",
                "The field Window must be between 00:00:01 and 01:00:00.",
            ],
            errors);
    }

    [Fact]
    public void Struct()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ZkTypedState;

            namespace Contoso.Retries;

            /// <summary>How calls are retried.</summary>
            /// <param name="MaxAttempts">Attempts in all.</param>
            /// <param name="BackoffSeconds">First backoff.</param>
            /// <param name="Mode">How backoff grows.</param>
            [ZNode("/config/retry")]
            public readonly partial record struct RetryPolicy(int MaxAttempts = 3, double BackoffSeconds = 0.5, BackoffMode Mode = BackoffMode.Exponential);

            /// <summary>How backoff grows.</summary>
            public enum BackoffMode
            {
                /// <summary>Constant.</summary>
                Constant,

                /// <summary>Doubling.</summary>
                Exponential,
            }
            """);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Retries.RetryPolicy");
        object value = type.CreateDefault();
        Assert.Equal(3, type.Member(value, "MaxAttempts"));
        Assert.Equal(0.5, type.Member(value, "BackoffSeconds"));
        Assert.Equal("""{"MaxAttempts":3,"BackoffSeconds":0.5,"Mode":1}""", type.Serialize(value));
        Assert.Equal(7, type.Member(type.Deserialize("""{"MaxAttempts":7}"""), "MaxAttempts"));
    }

    [Fact]
    public void NestedType()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ZkTypedState;

            namespace Contoso;

            /// <summary>All settings.</summary>
            public static partial class Settings
            {
                /// <summary>Grouping.</summary>
                internal partial struct Shop
                {
                    /// <summary>Checkout settings.</summary>
                    [ZNode("/config/shop/checkout", Required = true)]
                    public sealed partial class Checkout
                    {
                        /// <summary>Whether guests may check out.</summary>
                        public bool AllowGuests { get; set; }

                        private Checkout()
                        {
                        }
                    }
                }
            }
            """);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        var type = new GeneratedType(run.Load(), "Contoso.Settings+Shop+Checkout");
        Assert.Equal("/config/shop/checkout", type.PathTemplate);
        Assert.Equal(false, type.Member(type.CreateDefault(), "AllowGuests"));
    }

    [Fact]
    public void TemplatePath()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                """
                using ZkTypedState;

                namespace Contoso.Tenancy;

                /// <summary>Per-tenant, per-region limits.</summary>
                [ZNode("/config/tenants/{tenant}/regions/{region}/limits")]
                public partial record TenantLimits
                {
                    /// <summary>Connections at most.</summary>
                    public int MaxConnections { get; init; } = 10;
                }
                """,
                """
                using System.Collections.Generic;
                using ZkTypedState;

                namespace Contoso.Tenancy;

                /// <summary>Records the values the accessor forwards.</summary>
                public sealed class RecordingFamily : IZNodeFamily<TenantLimits>
                {
                    /// <summary>The last values.</summary>
                    public IReadOnlyList<string>? LastValues { get; private set; }

                    /// <inheritdoc/>
                    public ZNodeDescriptor<TenantLimits> Descriptor => TenantLimits.ZNode;

                    /// <inheritdoc/>
                    public IZNode<TenantLimits> Get(params IReadOnlyList<string> parameterValues)
                    {
                        LastValues = parameterValues;
                        return null!;
                    }

                    /// <inheritdoc/>
                    public bool IsDiscovered => true;

                    /// <inheritdoc/>
                    public IReadOnlyCollection<string> Members => [];

                    /// <inheritdoc/>
                    public int BoundCount => 0;

                    /// <inheritdoc/>
                    public event System.Action<ZNodeMemberEvent<TenantLimits>>? MemberAdded { add { } remove { } }

                    /// <inheritdoc/>
                    public event System.Action<ZNodeMemberEvent<TenantLimits>>? MemberRemoved { add { } remove { } }

                    /// <inheritdoc/>
                    public System.Threading.Tasks.Task<IZNode<TenantLimits>> GetAsync(IReadOnlyList<string> parameterValues, System.Threading.CancellationToken cancellationToken = default) => System.Threading.Tasks.Task.FromResult(Get(parameterValues));

                    /// <inheritdoc/>
                    public bool TryGet(IReadOnlyList<string> parameterValues, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IZNode<TenantLimits>? node)
                    {
                        node = null;
                        return false;
                    }
                }
                """,
            ]);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        Assembly assembly = run.Load();
        var type = new GeneratedType(assembly, "Contoso.Tenancy.TenantLimits");
        Assert.Equal(["tenant", "region"], type.Parameters);
        Assert.Equal("/config/tenants/acme/regions/eu/limits", type.ResolvePath("acme", "eu"));

        Type familyType = assembly.GetType("Contoso.Tenancy.TenantLimitsFamily", throwOnError: true)!;
        Assert.True(familyType.IsPublic && familyType.IsSealed);
        object recording = Activator.CreateInstance(assembly.GetType("Contoso.Tenancy.RecordingFamily", throwOnError: true)!)!;
        object family = Activator.CreateInstance(familyType, recording)!;
        MethodInfo get = familyType.GetMethod("Get")!;
        Assert.Equal(["tenant", "region"], get.GetParameters().Select(p => p.Name));
        get.Invoke(family, ["acme", "eu"]);
        Assert.Equal(["acme", "eu"], (IReadOnlyList<string>)recording.GetType().GetProperty("LastValues")!.GetValue(recording)!);
        Assert.Equal("acme/eu", familyType.GetMethod("GetOptionsName")!.Invoke(null, ["acme", "eu"]));
    }

    [Fact]
    public void JsonSerializerContext()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using System.Text.Json.Serialization;
            using ZkTypedState;

            namespace Contoso.Payments;

            /// <summary>How payments are taken.</summary>
            [ZNode("/config/payments")]
            public partial record PaymentSettings
            {
                /// <summary>The payment provider.</summary>
                public string Provider { get; init; } = "stripe";

                /// <summary>Whether payments are accepted at all.</summary>
                public bool Enabled { get; init; } = true;
            }

            /// <summary>Audit settings.</summary>
            [ZNode("/config/audit")]
            internal partial class AuditSettings
            {
                /// <summary>Days to keep.</summary>
                public int RetentionDays { get; set; } = 30;
            }

            /// <summary>Reflection-free JSON for the settings.</summary>
            [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
            [JsonSerializable(typeof(PaymentSettings))]
            [JsonSerializable(typeof(AuditSettings), TypeInfoPropertyName = "Audit")]
            internal partial class AppJsonContext : JsonSerializerContext
            {
            }
            """,
            withJsonGenerator: true);

        run.AssertCompilesCleanly();
        Assert.Empty(run.Diagnostics);
        Snapshots.Match(run.RenderSources());

        Assembly assembly = run.Load();
        var payments = new GeneratedType(assembly, "Contoso.Payments.PaymentSettings");
        // PaymentSettings has init-only members: the context's metadata with the modifier that keeps their defaults.
        Assert.IsNotType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>(payments.JsonTypeInfo.Options.TypeInfoResolver);
        Assert.Equal("""{"provider":"stripe","enabled":true}""", payments.Serialize(payments.CreateDefault()));
        object read = payments.Deserialize("""{"provider":"adyen"}""");
        Assert.Equal("adyen", payments.Member(read, "Provider"));
        Assert.Equal(true, payments.Member(read, "Enabled"));

        var audit = new GeneratedType(assembly, "Contoso.Payments.AuditSettings");
        Assert.Equal("AppJsonContext", audit.SourceJsonTypeInfo.Options.TypeInfoResolver!.GetType().Name);
        Assert.Equal("""{"retentionDays":30}""", audit.Serialize(audit.CreateDefault()));
    }

    [Fact]
    public void TwoTypesInOneAssembly()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                """
                using ZkTypedState;

                namespace Contoso.Zeta;

                /// <summary>Feature flags.</summary>
                [ZNode("/config/features")]
                public partial class Features
                {
                    /// <summary>New checkout.</summary>
                    public bool NewCheckout { get; set; }
                }
                """,
                """
                using ZkTypedState;

                namespace Contoso.Alpha;

                /// <summary>Per-service quotas.</summary>
                [ZNode("/config/quotas/{service}")]
                internal partial record Quota(int PerMinute = 60);
                """,
            ]);

        run.AssertCompilesCleanly();
        Snapshots.Match(run.RenderSources());

        Assembly assembly = run.Load();
        Type registration = assembly.GetType("ZkTypedState.ZkTypedStateGeneratedRegistration", throwOnError: true)!;
        Assert.True(registration.IsAbstract && registration.IsSealed && !registration.IsPublic);

        var services = new ServiceCollection();
        ZkTypedStateBuilder builder = services.AddZkTypedState(o => o.ConnectionString = "127.0.0.1:1");
        Assert.Same(builder, registration.GetMethod("AddGeneratedZNodes")!.Invoke(null, [builder]));

        Type features = assembly.GetType("Contoso.Zeta.Features", throwOnError: true)!;
        Type quota = assembly.GetType("Contoso.Alpha.Quota", throwOnError: true)!;
        Type quotaFamily = assembly.GetType("Contoso.Alpha.QuotaFamily", throwOnError: true)!;
        Assert.False(quotaFamily.IsPublic);
        Assert.Contains(services, s => s.ServiceType == typeof(IZNode<>).MakeGenericType(features));
        Assert.Contains(services, s => s.ServiceType == typeof(IZNodeFamily<>).MakeGenericType(quota));
        Assert.Contains(services, s => s.ServiceType == quotaFamily && s.Lifetime == ServiceLifetime.Singleton && s.ImplementationFactory is not null);
    }
}
