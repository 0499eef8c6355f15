using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Json;

/// <summary>
/// Issue 12, "Why" 2, 3 and 9, end to end against a real server: what a bound node serves for payloads that omit,
/// miscase or misspell members, miss a required member, or fail nested / IValidatableObject validation.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class PayloadDecodeTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task Init_only_defaults_survive_a_payload_that_omits_them_with_a_context()
    {
        ZNodeSnapshot<DecodeLimits> loaded = await LoadAsync(DecodeLimits.ZNode, """{"Limit":5}""");
        Assert.Equal(ZNodeStatus.Fresh, loaded.Status);
        Assert.Equal(new DecodeLimits { Limit = 5, Currency = "EUR", Workers = 2 }, loaded.Value);
    }

    [Fact]
    public async Task Init_only_defaults_survive_a_payload_that_omits_them_without_a_context()
    {
        ZNodeSnapshot<DecodeLimitsReflection> loaded = await LoadAsync(DecodeLimitsReflection.ZNode, """{"Limit":5}""");
        Assert.Equal(ZNodeStatus.Fresh, loaded.Status);
        Assert.Equal(new DecodeLimitsReflection { Limit = 5, Currency = "EUR" }, loaded.Value);
    }

    [Fact]
    public async Task Member_names_match_case_insensitively()
    {
        ZNodeSnapshot<DecodeLimits> loaded = await LoadAsync(DecodeLimits.ZNode, """{"limit":7,"currency":"USD","WORKERS":5}""");
        Assert.Equal(ZNodeStatus.Fresh, loaded.Status);
        Assert.Equal(new DecodeLimits { Limit = 7, Currency = "USD", Workers = 5 }, loaded.Value);
    }

    [Fact]
    public async Task A_misspelled_member_faults_a_strict_node_and_names_the_member()
    {
        ZNodeSnapshot<DecodeStrict> loaded = await LoadAsync(DecodeStrict.ZNode, """{"name":"x","wrokers":5}""");
        Assert.Equal(ZNodeStatus.Faulted, loaded.Status);
        var error = Assert.IsType<ZNodePayloadException>(loaded.Error);
        Assert.Equal(ZNodePayloadError.Malformed, error.Error);
        Assert.Contains("wrokers", error.Message, StringComparison.Ordinal);

        ZNodeSnapshot<DecodeStrict> good = await LoadAsync(DecodeStrict.ZNode, """{"name":"x","workers":5}""");
        Assert.Equal(ZNodeStatus.Fresh, good.Status);
        Assert.Equal(("x", 5), (good.Value.Name, good.Value.Workers));
    }

    [Fact]
    public async Task A_payload_missing_a_required_member_is_faulted_with_the_member_named()
    {
        ZNodeSnapshot<DecodeRequired> loaded = await LoadAsync(DecodeRequired.ZNode, """{"Other":1}""");
        Assert.Equal(ZNodeStatus.Faulted, loaded.Status);
        var error = Assert.IsType<ZNodePayloadException>(loaded.Error);
        Assert.Contains("missing required properties", error.Message, StringComparison.Ordinal);
        Assert.Contains("Name", error.Message, StringComparison.Ordinal);

        ZNodeSnapshot<DecodeRequired> good = await LoadAsync(DecodeRequired.ZNode, """{"name":"n"}""");
        Assert.Equal(ZNodeStatus.Fresh, good.Status);
        Assert.Equal("n", good.Value.Name);
    }

    [Fact]
    public async Task Nested_objects_enumerated_items_and_IValidatableObject_fault_an_invalid_payload()
    {
        ZNodeSnapshot<DecodeNested> nested = await LoadAsync(DecodeNested.ZNode, """{"Primary":{"Port":0},"Replicas":[{"Port":1},{"Port":70000}]}""");
        Assert.Equal(ZNodeStatus.Faulted, nested.Status);
        var error = Assert.IsType<ZNodePayloadException>(nested.Error);
        Assert.Equal(ZNodePayloadError.ValidationFailed, error.Error);
        Assert.Equal(2, error.ValidationErrors.Count);
        Assert.Contains(error.ValidationErrors, e => e.Contains("Primary.Port", StringComparison.Ordinal));
        Assert.Contains(error.ValidationErrors, e => e.Contains("Replicas[1].Port", StringComparison.Ordinal));

        ZNodeSnapshot<DecodeNested> own = await LoadAsync(DecodeNested.ZNode, """{"Min":11}""");
        Assert.Equal(ZNodeStatus.Faulted, own.Status);
        Assert.Equal(["Min (11) must not exceed Max (10)."], Assert.IsType<ZNodePayloadException>(own.Error).ValidationErrors);
    }

    /// <summary>Binds <paramref name="generated"/>'s JSON, default and validation at a fresh path holding <paramref name="json"/>, and returns what it loads.</summary>
    private async Task<ZNodeSnapshot<T>> LoadAsync<T>(ZNodeDescriptor<T> generated, string json)
        where T : notnull
    {
        string path = RuntimeServerFixture.UniquePath("json");
        await using (var writer = await fixture.ConnectAsync())
        {
            await writer.CreateAsync(path, RuntimeServerFixture.Json(json));
        }

        var descriptor = new ZNodeDescriptor<T>(path, generated.SourceJsonTypeInfo, generated.CreateDefault, generated.Validate) { Strict = generated.Strict };
        // Continue: a rejected payload would otherwise fail a FailStartup host (issue 12), and these tests read it.
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor), o => o.InitialSyncFailure = InitialSyncFailureBehavior.Continue);
        var node = host.Services.GetRequiredService<IZNode<T>>();
        await node.WaitForLoadedAsync(Timeouts.Token());
        ZNodeSnapshot<T> current = node.Current;
        await host.StopAsync();
        return current;
    }
}
