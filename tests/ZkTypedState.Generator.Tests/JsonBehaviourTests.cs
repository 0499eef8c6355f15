using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZkTypedState.Generator.Tests.Infrastructure;

namespace ZkTypedState.Generator.Tests;

/// <summary>
/// Issue 12, "Why" 2, 3, 8 and 9, through generated descriptors compiled and loaded: init-only defaults survive a
/// payload that omits them with and without a JsonSerializerContext, names match case-insensitively, strict mode faults
/// unknown members, <c>required</c> is enforced, nested objects and IValidatableObject are validated, and each assembly
/// gets a public registration.
/// </summary>
public class JsonBehaviourTests
{
    private const string Limits = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using ZkTypedState;
        namespace Contoso;

        /// <summary>A nested value with init-only defaults.</summary>
        public sealed record Inner
        {
            /// <summary>A.</summary>
            public int A { get; init; } = 1;

            /// <summary>B.</summary>
            public string B { get; init; } = "inner";
        }

        /// <summary>Holds nested values directly, in a list and in a dictionary.</summary>
        [ZNode("/config/outer")]
        public partial record Outer
        {
            /// <summary>Inner.</summary>
            public Inner Inner { get; init; } = new();

            /// <summary>Items.</summary>
            public List<Inner> Items { get; init; } = new();

            /// <summary>Named.</summary>
            public Dictionary<string, Inner> Named { get; init; } = new();
        }

        /// <summary>Limits.</summary>
        [ZNode("/config/limits")]
        public partial record Limits
        {
            /// <summary>Limit.</summary>
            public int Limit { get; init; } = 1;

            /// <summary>Currency.</summary>
            public string Currency { get; init; } = "EUR";

            /// <summary>Mutable.</summary>
            public int Workers { get; set; } = 4;
        }

        /// <summary>Positional.</summary>
        [ZNode("/config/positional")]
        public partial record Positional(int A = 7, string B = "bee");

        /// <summary>Strict.</summary>
        [ZNode("/config/strict", Strict = true)]
        public partial class StrictSettings
        {
            /// <summary>Name.</summary>
            public string Name { get; init; } = "default";
        }

        /// <summary>Required.</summary>
        [ZNode("/config/required")]
        public partial class RequiredSettings
        {
            /// <summary>Name.</summary>
            public required string Name { get; init; }

            /// <summary>Limit.</summary>
            public int Limit { get; init; } = 2;
        }
        """;

    private const string Context = """

        /// <summary>JSON.</summary>
        [JsonSerializable(typeof(Limits))]
        [JsonSerializable(typeof(Positional))]
        [JsonSerializable(typeof(StrictSettings))]
        [JsonSerializable(typeof(RequiredSettings))]
        [JsonSerializable(typeof(Outer))]
        internal partial class AppJson : JsonSerializerContext;
        """;

    public static TheoryData<bool> WithAndWithoutContext => new() { true, false };

    [Theory]
    [MemberData(nameof(WithAndWithoutContext))]
    public void InitOnlyDefaultsSurviveAPayloadThatOmitsThem(bool context)
    {
        Assembly assembly = Compile(context);
        var limits = new GeneratedType(assembly, "Contoso.Limits");
        object value = limits.Deserialize("""{"Limit":5}""");
        Assert.Equal(5, limits.Member(value, "Limit"));
        Assert.Equal("EUR", limits.Member(value, "Currency"));
        Assert.Equal(4, limits.Member(value, "Workers"));

        var positional = new GeneratedType(assembly, "Contoso.Positional");
        object p = positional.Deserialize("""{"B":"x"}""");
        Assert.Equal(7, positional.Member(p, "A"));
        Assert.Equal("x", positional.Member(p, "B"));
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutContext))]
    public void InitOnlyDefaultsOfNestedValuesSurviveToo(bool context)
    {
        var outer = new GeneratedType(Compile(context), "Contoso.Outer");
        object value = outer.Deserialize("""{"Inner":{"A":9},"Items":[{"A":2}],"Named":{"x":{"B":"bee"}}}""");
        string json = outer.Serialize(value);
        Assert.Equal("""{"Inner":{"A":9,"B":"inner"},"Items":[{"A":2,"B":"inner"}],"Named":{"x":{"A":1,"B":"bee"}}}""", json);
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutContext))]
    public void PropertyNamesMatchCaseInsensitively(bool context)
    {
        var limits = new GeneratedType(Compile(context), "Contoso.Limits");
        object value = limits.Deserialize("""{"limit":9,"CURRENCY":"USD","workers":5}""");
        Assert.Equal(9, limits.Member(value, "Limit"));
        Assert.Equal("USD", limits.Member(value, "Currency"));
        Assert.Equal(5, limits.Member(value, "Workers"));
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutContext))]
    public void StrictModeRejectsUnmappedMembersAndTheDefaultModeIgnoresThem(bool context)
    {
        Assembly assembly = Compile(context);
        var strict = new GeneratedType(assembly, "Contoso.StrictSettings");
        Assert.True(strict.Strict);
        Assert.Equal("x", strict.Member(strict.Deserialize("""{"name":"x"}"""), "Name"));
        var exception = Assert.Throws<JsonException>(() => strict.Deserialize("""{"Name":"x","Nmae":"y"}"""));
        Assert.Contains("Nmae", exception.Message, StringComparison.Ordinal);

        var lenient = new GeneratedType(assembly, "Contoso.Limits");
        Assert.False(lenient.Strict);
        Assert.Equal(1, lenient.Member(lenient.Deserialize("""{"Limt":3}"""), "Limit"));
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutContext))]
    public void RequiredMembersMissingFromAPayloadAreAnError(bool context)
    {
        var required = new GeneratedType(Compile(context), "Contoso.RequiredSettings");
        var exception = Assert.Throws<JsonException>(() => required.Deserialize("""{"Limit":5}"""));
        Assert.Contains("Name", exception.Message, StringComparison.Ordinal);
        object value = required.Deserialize("""{"name":"n"}""");
        Assert.Equal("n", required.Member(value, "Name"));
        Assert.Equal(2, required.Member(value, "Limit"));
    }

    [Fact]
    public void NestedObjectsEnumeratedItemsAndIValidatableObjectAreValidated()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.ComponentModel.DataAnnotations;
            using Microsoft.Extensions.Options;
            using ZkTypedState;
            namespace Contoso;

            /// <summary>Endpoint.</summary>
            public sealed class Endpoint
            {
                /// <summary>Port.</summary>
                [Range(1, 65535)] public int Port { get; set; } = 80;
            }

            /// <summary>Pool.</summary>
            public sealed class Pool : IValidatableObject
            {
                /// <summary>Min.</summary>
                public int Min { get; set; }

                /// <summary>Max.</summary>
                public int Max { get; set; } = 10;

                /// <inheritdoc/>
                public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
                {
                    if (Min > Max)
                    {
                        yield return new ValidationResult("Min must not exceed Max.");
                    }
                }
            }

            /// <summary>Settings.</summary>
            [ZNode("/config/app")]
            public partial class Settings : IValidatableObject
            {
                /// <summary>Name.</summary>
                [Required] public string? Name { get; set; } = "app";

                /// <summary>Primary.</summary>
                [ValidateObjectMembers] public Endpoint Primary { get; set; } = new();

                /// <summary>Replicas.</summary>
                [ValidateEnumeratedItems] public List<Endpoint> Replicas { get; set; } = new();

                /// <summary>Pool.</summary>
                [ValidateObjectMembers] public Pool? Pool { get; set; }

                /// <summary>Whether it is off.</summary>
                public bool Off { get; set; }

                /// <inheritdoc/>
                public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
                {
                    if (Off && Name == "app")
                    {
                        yield return new ValidationResult("An 'app' cannot be off.");
                    }
                }
            }
            """);
        run.AssertCompilesCleanly();
        var type = new GeneratedType(run.Load(), "Contoso.Settings");
        Assert.True(type.HasValidation);
        Assert.Empty(type.Validate(type.CreateDefault()));

        IReadOnlyList<string> errors = type.Validate(type.Deserialize("""
            {"Primary":{"Port":0},"Replicas":[{"Port":1},{"Port":70000}],"Pool":{"Min":5,"Max":1}}
            """));
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Primary.Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Replicas[1].Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == "Pool: Min must not exceed Max.");

        // The type's own IValidatableObject runs once its members are valid.
        Assert.Equal(["An 'app' cannot be off."], type.Validate(type.Deserialize("""{"Off":true}""")));
    }

    [Fact]
    public void EachAssemblyGetsAPublicRegistrationNamedAfterIt()
    {
        GeneratorRun run = GeneratorHarness.Run(Limits);
        run.AssertCompilesCleanly();
        Assembly assembly = run.Load();
        Type registration = assembly.GetType("ZkTypedState.GeneratorTestInputZNodesRegistration", throwOnError: true)!;
        Assert.True(registration.IsPublic);
        MethodInfo add = registration.GetMethod("AddGeneratorTestInputZNodes")!;

        var services = new ServiceCollection();
        ZkTypedStateBuilder builder = services.AddZkTypedState(o => o.ConnectionString = "127.0.0.1:1");
        Assert.Same(builder, add.Invoke(null, [builder]));
        Assert.Contains(services, s => s.ServiceType == typeof(IZNode<>).MakeGenericType(assembly.GetType("Contoso.Limits", throwOnError: true)!));
    }

    private static Assembly Compile(bool context)
    {
        GeneratorRun run = GeneratorHarness.Run(context ? Limits + Context : Limits, withJsonGenerator: context);
        run.AssertCompilesCleanly();
        return run.Load();
    }
}
