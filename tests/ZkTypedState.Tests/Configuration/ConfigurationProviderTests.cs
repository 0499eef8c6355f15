using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Tests.Support;
using static ZkTypedState.Tests.Configuration.ConfigTestSupport;

namespace ZkTypedState.Tests.Configuration;

[Collection(RuntimeCollection.Name)]
public sealed class ConfigurationProviderTests(RuntimeServerFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Paths_map_to_keys_and_text_to_values_with_the_documented_rules()
    {
        string root = RuntimeServerFixture.UniquePath("cfgkeys");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root, Utf8("root data"));
        await writer.CreateAsync(root + "/Rate", Utf8("inner"));
        await writer.CreateAsync(root + "/Rate/USD", Utf8("6.35"));
        await writer.CreateAsync(root + "/Rate/EUR", Utf8("7.10\r\n"));
        await writer.CreateAsync(root + "/Name", (byte[])[0xEF, 0xBB, 0xBF, .. Utf8("Ünïcode")]);
        await writer.CreateAsync(root + "/Empty");
        await writer.CreateAsync(root + "/Section");
        await writer.CreateAsync(root + "/Section/Key", Utf8("v"));

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root).Build();

        Assert.Equal("6.35", config["Rate:USD"]);
        Assert.Equal("6.35", config["rate:usd"]); // configuration keys are case-insensitive
        Assert.Equal("7.10", config["Rate:EUR"]); // trailing newline trimmed
        Assert.Equal("inner", config["Rate"]); // an inner node's data and its children are both keys
        Assert.Equal("Ünïcode", config["Name"]); // BOM stripped
        Assert.Equal(string.Empty, config["Empty"]); // an empty leaf is an empty value
        Assert.Null(config["Section"]); // an empty inner node is only a section
        Assert.Equal("v", config.GetSection("Section")["Key"]);
        Assert.Equal(["Empty", "Name", "Rate", "Section"], config.GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Null(config[string.Empty]); // without a prefix the root's data is not mapped
        ZooKeeperConfigurationStatus status = Provider(config).Status;
        Assert.Equal(ZooKeeperConfigurationState.Current, status.State);
        Assert.False(status.IsStale);
        Assert.Equal(6, status.KeyCount);

        using var prefixed = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root, keyPrefix: "App:Zk").Build();
        Assert.Equal("root data", prefixed["App:Zk"]);
        Assert.Equal("6.35", prefixed["App:Zk:Rate:USD"]);
        Assert.Null(prefixed["Rate:USD"]);
    }

    [Fact]
    public async Task Json_nodes_are_flattened_only_when_asked_and_a_malformed_update_keeps_the_last_good_keys()
    {
        string root = RuntimeServerFixture.UniquePath("cfgjson");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Payments", """{"Limit":5,"Hosts":["a","b"],"Retry":{"Count":3,"Back":null},"Empty":{},"On":true}"""), ("/Plain", "6.35"));

        using var raw = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root).Build();
        Assert.StartsWith("{\"Limit\"", raw["Payments"]);
        Assert.Null(raw["Payments:Limit"]);

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.FlattenJson = true;
        }).Build();
        Assert.Null(config["Payments"]);
        Assert.Equal("5", config["Payments:Limit"]);
        Assert.Equal("a", config["Payments:Hosts:0"]);
        Assert.Equal("b", config["Payments:Hosts:1"]);
        Assert.Equal("3", config["Payments:Retry:Count"]);
        Assert.Equal(string.Empty, config["Payments:Retry:Back"]);
        Assert.Null(config["Payments:Empty"]);
        Assert.Equal("True", config["Payments:On"]);
        Assert.Equal("6.35", config["Plain"]); // not JSON-looking: the text is the value
        Assert.Equal(["a", "b"], config.GetSection("Payments:Hosts").GetChildren().Select(c => c.Value));

        ZooKeeperConfigurationProvider provider = Provider(config);
        await writer.SetDataAsync(root + "/Payments", Utf8("""{"Limit": 6, """));
        await writer.SetDataAsync(root + "/Plain", Utf8("7"));
        await UntilAsync(config, () => config["Plain"] == "7", "the plain node's change is served");
        Assert.Equal("5", config["Payments:Limit"]);
        ZooKeeperConfigurationPayloadError error = Assert.Single(provider.Status.PayloadErrors);
        Assert.Equal(root + "/Payments", error.Path);
        Assert.Contains("JSON", error.Message);

        await writer.SetDataAsync(root + "/Payments", Utf8("""{"Limit":6}"""));
        await UntilAsync(config, () => config["Payments:Limit"] == "6", "the repaired JSON is served");
        Assert.Null(config["Payments:Hosts:0"]);
        Assert.Empty(provider.Status.PayloadErrors);
    }

    [Fact]
    public async Task Siblings_differing_only_in_case_are_a_reported_conflict_served_from_the_ordinally_first_path()
    {
        string root = RuntimeServerFixture.UniquePath("cfgcase");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/rate", "lower"), ("/Rate", "upper"), ("/Other", "x"));
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.LoggerFactory = loggerFactory;
        }).Build();

        Assert.Equal("upper", config["rate"]); // "/Rate" < "/rate" ordinally, whatever order the reads returned in
        ZooKeeperConfigurationConflict conflict = Assert.Single(Provider(config).Status.Conflicts);
        Assert.Equal((root + "/Rate", root + "/rate"), (conflict.Served, conflict.Ignored));
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("key conflict on 'rate'", StringComparison.OrdinalIgnoreCase) && e.Message.Contains(root + "/rate"));

        await writer.DeleteAsync(root + "/Rate");
        await UntilAsync(config, () => config["rate"] == "lower", "the remaining sibling is served");
        Assert.Empty(Provider(config).Status.Conflicts);
    }

    [Theory]
    [InlineData(ZooKeeperWatchMode.Auto)]
    [InlineData(ZooKeeperWatchMode.PerNode)]
    public async Task Data_changes_children_added_and_removed_and_the_subtree_deleted_and_recreated_all_reload(ZooKeeperWatchMode mode)
    {
        string root = RuntimeServerFixture.UniquePath("cfglive");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/A", "1"));
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.WatchMode = mode;
        }).Build();
        using var reloads = new ReloadCounter(config);
        Assert.Equal("1", config["A"]);

        await writer.SetDataAsync(root + "/A", Utf8("2"));
        await reloads.UntilAsync(() => config["A"] == "2", "a data change is served");

        await writer.CreateAsync(root + "/B", Utf8("b"));
        await reloads.UntilAsync(() => config["B"] == "b", "an added child is served");
        await writer.CreateAsync(root + "/B/C", Utf8("c"));
        await reloads.UntilAsync(() => config["B:C"] == "c", "an added grandchild is served");

        await writer.DeleteAsync(root + "/B/C");
        await reloads.UntilAsync(() => config["B:C"] is null, "a removed grandchild is gone");

        await writer.DeleteAsync(root + "/B");
        await writer.DeleteAsync(root + "/A");
        await writer.DeleteAsync(root);
        await reloads.UntilAsync(() => !config.GetChildren().Any(), "the deleted subtree's keys are gone");

        await CreateTreeAsync(writer, root, ("/A", "again"));
        await reloads.UntilAsync(() => config["A"] == "again", "the recreated subtree is served");
        Assert.InRange(reloads.Count, 6, 20);
        Assert.Equal(ZooKeeperConfigurationState.Current, Provider(config).Status.State);
    }

    [Fact]
    public async Task A_burst_of_changes_is_coalesced_into_few_reloads()
    {
        string root = RuntimeServerFixture.UniquePath("cfgburst");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, [.. Enumerable.Range(0, 50).Select(i => ($"/k{i}", "0"))]);
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.ReloadDelay = TimeSpan.FromMilliseconds(500);
        }).Build();
        using var reloads = new ReloadCounter(config);

        // 200 writes, pipelined: the delay collects them into a handful of re-reads instead of 200 reloads.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => writer.SetDataAsync($"{root}/k{i % 50}", Utf8((i / 50 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        await reloads.UntilAsync(() => Enumerable.Range(0, 50).All(i => config[$"k{i}"] == "4"), "every key holds its last write");

        Assert.InRange(reloads.Count, 1, 8);
        output.WriteLine($"200 pipelined writes to 50 nodes, ReloadDelay 500 ms: {reloads.Count} reload(s)");
    }

    [Fact]
    public async Task Later_subtrees_layer_over_earlier_ones()
    {
        string shared = RuntimeServerFixture.UniquePath("cfgshared");
        string service = RuntimeServerFixture.UniquePath("cfgsvc");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, shared, ("/Timeout", "30"), ("/Region", "eu"));
        await CreateTreeAsync(writer, service, ("/Timeout", "5"));

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(shared).AddSubtree(service);
        }).Build();

        Assert.Equal("5", config["Timeout"]);
        Assert.Equal("eu", config["Region"]);
        Assert.Empty(Provider(config).Status.Conflicts);
        Assert.Equal([shared, service], Provider(config).Roots);
    }

    [Fact]
    public async Task The_first_load_blocks_without_deadlocking_on_a_single_threaded_synchronization_context()
    {
        string root = RuntimeServerFixture.UniquePath("cfgsync");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/A", "1"));
        var context = new NeverPumpedContext();
        string? value = null;
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root).Build();
            value = config["A"];
        });
        thread.Start();
        Assert.True(thread.Join(Timeouts.Event), "Build() did not return under a SynchronizationContext that is never pumped.");
        Assert.Equal("1", value);
        Assert.Equal(0, context.Posted);
    }

    [Fact]
    public async Task Reload_returns_at_once_and_re_reads_every_subtree_in_the_background()
    {
        string root = RuntimeServerFixture.UniquePath("cfgreload");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/A", "1"));
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        DateTimeOffset loadedAt = provider.Status.LoadedAt!.Value;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        config.Reload();
        TimeSpan took = clock.Elapsed;

        await StatusUntilAsync(provider, s => s.LoadedAt > loadedAt && s.State == ZooKeeperConfigurationState.Current, "the background re-read completed");
        Assert.Equal("1", config["A"]);
        Assert.True(took < TimeSpan.FromSeconds(1), $"Reload() blocked for {took.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void Invalid_options_fail_with_messages_naming_the_setting()
    {
        static string Fail(Action<ZooKeeperConfigurationOptions> configure) =>
            Assert.ThrowsAny<ArgumentException>(() => new ConfigurationBuilder().AddZooKeeper(configure)).Message;

        Assert.Contains("ConnectionString", Fail(o => o.AddSubtree("/a")));
        Assert.Contains("Subtrees must list at least one", Fail(o => o.ConnectionString = "127.0.0.1:2181"));
        Assert.Contains("Subtrees[0].Path", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("app"); }));
        Assert.Contains("KeyPrefix", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app", ":x"); }));
        Assert.Contains("StartupTimeout", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.StartupTimeout = TimeSpan.Zero; }));
        Assert.Contains("StartupTimeout", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.StartupTimeout = Timeout.InfiniteTimeSpan; }));
        Assert.Contains("ReloadDelay", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.ReloadDelay = TimeSpan.FromMinutes(1); }));
        Assert.Contains("MaxNodes", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.MaxNodes = 0; }));
        Assert.Contains("Credentials[0]", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.Credentials.Add(new ZooKeeperCredential { Scheme = "digest", User = "u" }); }));
        Assert.Contains("Credentials[0]", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.Credentials.Add(new ZooKeeperCredential()); }));
        Assert.Contains("WatchMode", Fail(o => { o.ConnectionString = "127.0.0.1:2181"; o.AddSubtree("/app"); o.WatchMode = (ZooKeeperWatchMode)7; }));

        IConfiguration bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zk:ConnectionString"] = "127.0.0.1:2181",
            ["Zk:Path"] = "/app",
            ["Zk:StartupTimeout"] = "soon",
        }).Build();
        FormatException format = Assert.Throws<FormatException>(() => new ConfigurationBuilder().AddZooKeeper(bad.GetSection("Zk")));
        Assert.Contains("Zk:StartupTimeout = 'soon'", format.Message);
    }

    [Fact]
    public async Task A_tree_larger_than_MaxNodes_fails_a_required_load_with_a_typed_error()
    {
        string root = RuntimeServerFixture.UniquePath("cfgbig");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, [.. Enumerable.Range(0, 12).Select(i => ($"/n{i}", "x"))]);

        var failure = Assert.Throws<ZooKeeperConfigurationException>(() => new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = fixture.Server.ConnectionString;
            o.AddSubtree(root);
            o.MaxNodes = 10;
        }).Build());
        Assert.Equal(ZooKeeperConfigurationFailure.TooManyNodes, failure.Failure);
        Assert.Contains("MaxNodes = 10", failure.Message);
    }

    /// <summary>A context whose posts are never run: anything that needs it to make progress hangs, so the test sees it.</summary>
    private sealed class NeverPumpedContext : SynchronizationContext
    {
        private readonly ConcurrentQueue<(SendOrPostCallback, object?)> _posted = new();

        public int Posted => _posted.Count;

        public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));
    }
}
