using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Codecs;

/// <summary>
/// Issue 16 item 1, end to end against a real server: text, scalar and bytes nodes bound by path and changed live; a
/// malformed scalar keeps the last good value; snapshots carry the bytes they came from.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class PlainNodeTests(RuntimeServerFixture fixture)
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_text_node_bound_by_path_serves_the_text_as_written_and_follows_changes()
    {
        string path = RuntimeServerFixture.UniquePath("motd");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, Utf8("Welcome!\n"));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode<string>(path));

        var motd = host.Services.GetRequiredKeyedService<IZNode<string>>(path);
        Assert.Equal(ZNodeStatus.Fresh, motd.Status);
        Assert.Equal("Welcome!\n", motd.Value);
        Assert.Equal(Utf8("Welcome!\n"), motd.Current.RawPayload.ToArray());

        var events = new NodeEvents<string>(motd);
        await writer.SetDataAsync(path, Utf8("Maintenance at 22:00 UTC"));
        ZNodeChange<string> change = await events.NextChangeAsync();
        Assert.Equal("Maintenance at 22:00 UTC", change.Current.Value);
        Assert.Equal(Utf8("Maintenance at 22:00 UTC"), change.Current.RawPayload.ToArray());

        // Empty data is the empty string, a valid value.
        await writer.SetDataAsync(path, ReadOnlyMemory<byte>.Empty);
        Assert.Equal(string.Empty, (await events.NextChangeAsync()).Current.Value);
        Assert.Equal(ZNodeStatus.Fresh, motd.Status);

        // Writes go through the codec: UTF-8, no BOM, no newline added.
        await motd.SetAsync("grüß");
        Assert.Equal(Utf8("grüß"), (await writer.GetDataAsync(path)).Data);
        await host.StopAsync();
    }

    [Fact]
    public async Task Int_and_double_nodes_bound_by_path_and_by_key_follow_changes()
    {
        string workers = RuntimeServerFixture.UniquePath("workers");
        string rate = RuntimeServerFixture.UniquePath("rate-usd");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(workers, Utf8("4\n"));
        await writer.CreateAsync(rate, Utf8("6.35"));
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode<int>(workers).AddZNode<double>("usd", rate));

        var workerCount = host.Services.GetRequiredKeyedService<IZNode<int>>(workers);
        var usd = host.Services.GetRequiredKeyedService<IZNode<double>>("usd");
        Assert.Equal((4, ZNodeStatus.Fresh), (workerCount.Value, workerCount.Status));
        Assert.Equal((6.35, ZNodeStatus.Fresh), (usd.Value, usd.Status));

        // Only keyed nodes (PlainRegistrationTests checks that no options are registered either).
        Assert.Null(host.Services.GetService<IZNode<double>>());
        Assert.Null(host.Services.GetService<IZNode<int>>());

        var workerEvents = new NodeEvents<int>(workerCount);
        var usdEvents = new NodeEvents<double>(usd);
        await writer.SetDataAsync(workers, Utf8(" 8 \r\n"));
        await writer.SetDataAsync(rate, Utf8("6.4"));
        Assert.Equal(8, (await workerEvents.NextChangeAsync()).Current.Value);
        Assert.Equal(6.4, (await usdEvents.NextChangeAsync()).Current.Value);

        // Deleted: the type's default (0), status Missing, no bytes.
        await writer.DeleteAsync(workers);
        ZNodeChange<int> deleted = await workerEvents.NextChangeAsync();
        Assert.Equal((0, ZNodeStatus.Missing), (deleted.Current.Value, deleted.Current.Status));
        Assert.True(deleted.Current.RawPayload.IsEmpty);

        await usd.SetAsync(7.25);
        Assert.Equal(Utf8("7.25"), (await writer.GetDataAsync(rate)).Data);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bytes_node_serves_binary_data_and_follows_changes()
    {
        string path = RuntimeServerFixture.UniquePath("blob");
        byte[] first = [0x00, 0xFF, 0xFE, 0x10];
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, first);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode<byte[]>(path));

        var blob = host.Services.GetRequiredKeyedService<IZNode<byte[]>>(path);
        Assert.Equal(first, blob.Value);

        // The value is a copy: changing it changes neither the snapshot's bytes nor the next read.
        blob.Value[0] = 0x42;
        Assert.Equal(first, blob.Current.RawPayload.ToArray());

        var events = new NodeEvents<byte[]>(blob);
        await writer.SetDataAsync(path, (byte[])[0xC3, 0x28]);
        Assert.Equal([0xC3, 0x28], (await events.NextChangeAsync()).Current.Value);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_malformed_scalar_keeps_the_last_good_value_and_reports_the_rejected_bytes()
    {
        string path = RuntimeServerFixture.UniquePath("rate");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, Utf8("6.35\n"));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode<double>(path));
        var rate = host.Services.GetRequiredKeyedService<IZNode<double>>(path);
        Assert.Equal(6.35, rate.Value);
        var events = new NodeEvents<double>(rate);

        await writer.SetDataAsync(path, Utf8("6,35"));
        ZNodeSignal<double> faulted = await events.NextSignalAsync(ZNodeSignalKind.StatusChanged);
        ZNodeSnapshot<double> snapshot = faulted.Current;
        Assert.Equal(ZNodeStatus.Faulted, snapshot.Status);
        Assert.Equal(6.35, snapshot.Value);
        var error = Assert.IsType<ZNodePayloadException>(snapshot.Error);
        Assert.Equal(ZNodePayloadError.Malformed, error.Error);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Double", error.Message, StringComparison.Ordinal);
        Assert.Contains("'6,35'", error.Message, StringComparison.Ordinal);
        Assert.IsType<ZNodeCodecException>(error.InnerException);

        // The value's bytes and the rejected bytes, side by side, each with its own Stat.
        Assert.Equal(Utf8("6.35\n"), snapshot.RawPayload.ToArray());
        Assert.Equal(Utf8("6,35"), snapshot.RejectedPayload.ToArray());
        Assert.True(snapshot.RejectedStat!.Value.Mzxid > snapshot.Stat!.Value.Mzxid);

        // Emptied: still faulted (a scalar has no empty value), now as Empty.
        await writer.SetDataAsync(path, ReadOnlyMemory<byte>.Empty);
        ZNodeSnapshot<double> empty = await NodeEvents<double>.WaitUntilAsync(rate, s => s.Error is ZNodePayloadException { Error: ZNodePayloadError.Empty });
        Assert.Equal((6.35, ZNodeStatus.Faulted), (empty.Value, empty.Status));

        // The next good payload clears the fault.
        await writer.SetDataAsync(path, Utf8("7"));
        ZNodeChange<double> recovered = await events.NextChangeAsync();
        Assert.Equal((7.0, ZNodeStatus.Fresh), (recovered.Current.Value, recovered.Current.Status));
        Assert.Null(recovered.Current.Error);
        Assert.True(recovered.Current.RejectedPayload.IsEmpty);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_custom_codec_type_reads_writes_and_faults_end_to_end()
    {
        string path = RuntimeServerFixture.UniquePath("endpoint");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, Utf8("db-1:5432"));
        var descriptor = new ZNodeDescriptor<Endpoint>(path, Endpoint.ZNode.Codec, Endpoint.ZNode.CreateDefault);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor));

        var node = host.Services.GetRequiredService<IZNode<Endpoint>>();
        Assert.IsType<EndpointCodec>(Endpoint.ZNode.Codec);
        Assert.Equal(new Endpoint("db-1", 5432), node.Value);
        Assert.Equal(new Endpoint("db-1", 5432), host.Services.GetRequiredService<IOptionsMonitor<Endpoint>>().CurrentValue);
        var events = new NodeEvents<Endpoint>(node);

        // The codec's own exception type and a parser's FormatException both fault the node, keeping the value.
        await writer.SetDataAsync(path, Utf8("db-2"));
        ZNodeSnapshot<Endpoint> noColon = (await events.NextSignalAsync(ZNodeSignalKind.StatusChanged)).Current;
        Assert.Equal((new Endpoint("db-1", 5432), ZNodeStatus.Faulted), (noColon.Value, noColon.Status));
        Assert.Contains("has no ':'", noColon.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("host:port", noColon.Error.Message, StringComparison.Ordinal);

        await writer.SetDataAsync(path, Utf8("db-2:x"));
        ZNodeSnapshot<Endpoint> badPort = await NodeEvents<Endpoint>.WaitUntilAsync(node, s => s.Error?.InnerException is FormatException);
        Assert.Equal(ZNodePayloadError.Malformed, Assert.IsType<ZNodePayloadException>(badPort.Error).Error);
        Assert.Equal(new Endpoint("db-1", 5432), badPort.Value);

        await node.SetAsync(new Endpoint("db-3", 6432));
        Assert.Equal(Utf8("db-3:6432"), (await writer.GetDataAsync(path)).Data);
        Assert.Equal((new Endpoint("db-3", 6432), ZNodeStatus.Fresh), (node.Value, node.Status));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_text_format_type_is_parsed_by_its_own_IParsable()
    {
        string path = RuntimeServerFixture.UniquePath("release");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, Utf8("3.14\n"));
        var descriptor = new ZNodeDescriptor<Release>(path, Release.ZNode.Codec, Release.ZNode.CreateDefault);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor));

        var node = host.Services.GetRequiredService<IZNode<Release>>();
        Assert.Equal(new Release(3, 14), node.Value);
        await node.UpdateAsync(r => r with { Minor = r.Minor + 1 });
        Assert.Equal(Utf8("3.15"), (await writer.GetDataAsync(path)).Data);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_scalar_path_template_is_a_family_of_rates_discovered_and_followed()
    {
        string root = RuntimeServerFixture.UniquePath("rates");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/USD", Utf8("6.35"));
        await writer.CreateAsync(root + "/EUR", Utf8("7.80\n"));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode<decimal>(root + "/{currency}"));

        var rates = host.Services.GetRequiredService<IZNodeFamily<decimal>>();
        Assert.Equal(["EUR", "USD"], rates.Members.Order(StringComparer.Ordinal));
        Assert.Equal(6.35m, rates.Get("USD").Value);
        Assert.Equal(7.80m, rates.Get("EUR").Value);

        var added = new TaskCompletionSource<ZNodeMemberEvent<decimal>>(TaskCreationOptions.RunContinuationsAsynchronously);
        rates.MemberAdded += e => added.TrySetResult(e);
        await writer.CreateAsync(root + "/GBP", Utf8("8.1"));
        ZNodeMemberEvent<decimal> gbp = await added.Task.WaitAsync(Timeouts.Event);
        Assert.Equal("GBP", gbp.Name);
        await gbp.Node.WaitForLoadedAsync(Timeouts.Token());
        Assert.Equal(8.1m, gbp.Node.Value);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_JSON_node_snapshot_carries_its_raw_payload()
    {
        string path = RuntimeServerFixture.UniquePath("json-raw");
        byte[] json = Utf8("""{ "Limit": 3 }""");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, json);
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        var node = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        Assert.Equal(3, node.Value.Limit);
        Assert.Equal(json, node.Current.RawPayload.ToArray());
        await host.StopAsync();
    }
}
