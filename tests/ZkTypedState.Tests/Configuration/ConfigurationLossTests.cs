using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Configuration;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;
using static ZkTypedState.Tests.Configuration.ConfigTestSupport;

namespace ZkTypedState.Tests.Configuration;

/// <summary>What the provider serves across disconnections, session losses and servers that are not there.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class ConfigurationLossTests(RuntimeServerFixture fixture, ITestOutputHelper output)
{
    private const int GetDataOp = 4;
    private const int GetChildren2Op = 12;

    [Theory]
    [InlineData(ZooKeeperWatchMode.Auto, 101)] // persistent watches replay nothing: a walk compares mzxids
    [InlineData(ZooKeeperWatchMode.PerNode, 0)] // one-shot watches get catch-up events: no walk
    public async Task While_disconnected_the_last_keys_are_served_and_after_reconnecting_only_changed_nodes_are_re_read(ZooKeeperWatchMode mode, int walkReads)
    {
        string root = RuntimeServerFixture.UniquePath("cfgcut");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, [.. Enumerable.Range(0, 100).Select(i => ($"/n{i:D3}", "v0"))]);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = proxy.ConnectionString;
            o.AddSubtree(root);
            o.SessionTimeout = TimeSpan.FromSeconds(10);
            o.WatchMode = mode;
        }).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        using var reloads = new ReloadCounter(config);

        proxy.Cut();
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Disconnected, "the provider reports the disconnection");
        Assert.True(provider.Status.IsStale);
        Assert.Equal("v0", config["n042"]);
        foreach (int i in new[] { 7, 42, 99 })
        {
            await writer.SetDataAsync($"{root}/n{i:D3}", Utf8("v1"));
        }

        proxy.ResetCounters();
        var clock = Stopwatch.StartNew();
        proxy.Restore();
        await reloads.UntilAsync(() => config["n007"] == "v1" && config["n042"] == "v1" && config["n099"] == "v1", "the changes made while disconnected are served");
        TimeSpan toCurrent = clock.Elapsed;
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Current, "the provider is current again");

        IReadOnlyDictionary<int, long> requests = proxy.GetRequestCounts();
        Assert.Equal(3, requests.GetValueOrDefault(GetDataOp));
        Assert.Equal(walkReads, requests.GetValueOrDefault(GetChildren2Op));
        Assert.InRange(reloads.Count, 1, 3);
        Assert.Equal("v0", config["n000"]);
        output.WriteLine($"{mode}: restore -> 3 of 100 changed nodes served: {toCurrent.TotalMilliseconds:0} ms; requests: {string.Join(", ", requests.Select(kv => $"op {kv.Key}: {kv.Value}"))}");
    }

    [Theory]
    [InlineData(ZooKeeperWatchMode.Auto)]
    [InlineData(ZooKeeperWatchMode.PerNode)]
    public async Task After_a_session_loss_InvalidateAndRebuild_serves_no_keys_so_options_fall_back_until_re_read_in_a_new_session(ZooKeeperWatchMode mode)
    {
        using var logs = new Microsoft.Extensions.Logging.LoggerFactory([new TestOutputLoggerProvider(output)]);
        string root = RuntimeServerFixture.UniquePath("cfgexp");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Limits", string.Empty), ("/Limits/Max", "50"));
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        using var config = (ConfigurationRoot)new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Limits:Max"] = "1" }) // the safe default below
            .AddZooKeeper(o =>
            {
                o.ConnectionString = proxy.ConnectionString;
                o.AddSubtree(root);
                o.SessionTimeout = TimeSpan.FromSeconds(2);
                o.WatchMode = mode;
                o.LoggerFactory = logs;
            }).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        using ServiceProvider services = new ServiceCollection().Configure<Limits>(config.GetSection("Limits")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<Limits>>();
        var seen = new List<int>();
        var eighty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable? listening = monitor.OnChange(l =>
        {
            lock (seen)
            {
                seen.Add(l.Max);
            }

            if (l.Max == 80)
            {
                eighty.TrySetResult();
            }
        });
        Assert.Equal(50, monitor.CurrentValue.Max);

        var clock = Stopwatch.StartNew();
        proxy.Blackhole();
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.SessionLost, "the session loss is known");
        TimeSpan toLoss = clock.Elapsed;
        Assert.Equal(0, provider.Status.KeyCount);
        Assert.False(provider.Status.IsStale); // nothing of the old session is served
        Assert.Equal("1", config["Limits:Max"]);
        Assert.Equal(1, monitor.CurrentValue.Max);

        await writer.SetDataAsync(root + "/Limits/Max", Utf8("70"));
        proxy.Restore();
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Current && s.KeyCount == 1, "the subtree is re-read in a new session");
        Assert.Equal(70, monitor.CurrentValue.Max);

        // The new session's watches are armed: a later change is served too.
        await writer.SetDataAsync(root + "/Limits/Max", Utf8("80"));
        await eighty.Task.WaitAsync(Timeouts.Event);
        Assert.Equal(80, monitor.CurrentValue.Max);
        lock (seen)
        {
            Assert.Equal([1, 70, 80], seen.Distinct());
        }

        output.WriteLine($"blackhole -> session loss known (2 s session): {toLoss.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task After_a_session_loss_ServeStaleAndRebuild_keeps_the_keys_marked_stale_until_re_read()
    {
        string root = RuntimeServerFixture.UniquePath("cfgstale");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Max", "50"), ("/Gone", "x"));
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = proxy.ConnectionString;
            o.AddSubtree(root);
            o.SessionTimeout = TimeSpan.FromSeconds(2);
            o.SessionLossPolicy = SessionLossPolicy.ServeStaleAndRebuild;
        }).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        using var reloads = new ReloadCounter(config);

        proxy.Blackhole();
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.SessionLost, "the session loss is known");
        Assert.True(provider.Status.IsStale);
        Assert.Equal("50", config["Max"]);
        Assert.Equal(0, reloads.Count);

        await writer.SetDataAsync(root + "/Max", Utf8("70"));
        await writer.DeleteAsync(root + "/Gone");
        proxy.Restore();
        await reloads.UntilAsync(() => config["Max"] == "70" && config["Gone"] is null, "the new session's reads are served");
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Current, "the provider is current");
        Assert.False(provider.Status.IsStale);
        Assert.Equal(1, reloads.Count);
    }

    [Fact]
    public async Task A_required_provider_fails_the_build_with_a_typed_error_within_the_startup_timeout_when_the_server_is_down()
    {
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        var clock = Stopwatch.StartNew();
        var failure = Assert.Throws<ZooKeeperConfigurationException>(() => new ConfigurationBuilder().AddZooKeeper(o =>
        {
            o.ConnectionString = proxy.ConnectionString;
            o.AddSubtree("/anything");
            o.StartupTimeout = TimeSpan.FromSeconds(1);
        }).Build());
        TimeSpan took = clock.Elapsed;

        Assert.Equal(ZooKeeperConfigurationFailure.Unreachable, failure.Failure);
        Assert.Contains("within the startup timeout of 1000 ms", failure.Message);
        // It waited for the timeout (not a quick failure), bounded by the timeout plus a bounded dispose. .NET timers tick
        // on a coarser clock than Stopwatch and may fire a millisecond or two early (0.998 s was seen), hence the 50 ms.
        Assert.InRange(took, TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(15));
        int attempts = proxy.RefusedConnections;
        Assert.True(attempts > 0, "the provider never tried to connect");
        await Task.Delay(1500); // proves a negative: the disposed provider's session stops trying
        Assert.Equal(attempts, proxy.RefusedConnections);
        output.WriteLine($"required, server down, 1 s startup timeout: Build() threw after {took.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task An_optional_provider_starts_empty_when_the_server_is_down_and_fills_in_when_it_answers()
    {
        string root = RuntimeServerFixture.UniquePath("cfgopt");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Feature", "on"));
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        proxy.Cut();
        using var config = (ConfigurationRoot)new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Feature"] = "off" })
            .AddZooKeeper(o =>
            {
                o.ConnectionString = proxy.ConnectionString;
                o.AddSubtree(root);
                o.Optional = true;
                o.StartupTimeout = TimeSpan.FromMilliseconds(500);
            }).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        Assert.Equal("off", config["Feature"]);
        Assert.Equal(ZooKeeperConfigurationState.Loading, provider.Status.State);

        using var reloads = new ReloadCounter(config);
        proxy.Restore();
        await reloads.UntilAsync(() => config["Feature"] == "on", "the provider fills in once the server answers");

        // Reload first, status second (the documented order): the status follows the reload, and once it says Current
        // the keys are served. Read right after the reload it may still say Loading (seen once in CI).
        await StatusUntilAsync(provider, s => s.State == ZooKeeperConfigurationState.Current, "the provider reports Current");
        Assert.Equal("on", config["Feature"]);
    }

    [Fact]
    public async Task A_missing_root_fails_a_required_provider_and_an_optional_one_fills_in_when_it_is_created()
    {
        string root = RuntimeServerFixture.UniquePath("cfgmissing");
        var failure = Assert.Throws<ZooKeeperConfigurationException>(() => new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root).Build());
        Assert.Equal(ZooKeeperConfigurationFailure.RootMissing, failure.Failure);
        Assert.Equal([root], failure.Paths);
        Assert.Contains($"{root} does not exist", failure.Message);

        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(fixture.Server.ConnectionString, root, optional: true).Build();
        Assert.Empty(config.GetChildren());
        using var reloads = new ReloadCounter(config);
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/Late", "here"));
        await reloads.UntilAsync(() => config["Late"] == "here", "the created subtree is served");
    }

    [Fact]
    public async Task Disposing_the_configuration_root_closes_the_provider_session()
    {
        string root = RuntimeServerFixture.UniquePath("cfgdispose");
        await using ZooKeeperClient writer = await fixture.ConnectAsync();
        await CreateTreeAsync(writer, root, ("/A", "1"));
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        var config = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(proxy.ConnectionString, root).Build();
        ZooKeeperConfigurationProvider provider = Provider(config);
        Assert.Equal(1, proxy.ActiveConnections);

        config.Dispose();

        Assert.Equal(ZooKeeperConfigurationState.Disposed, provider.Status.State);
        await Harness.UntilAsync(() => proxy.ActiveConnections == 0, "the session's connection is closed");
        Assert.Throws<ObjectDisposedException>(provider.Load);
    }

    private sealed class Limits
    {
        public int Max { get; set; }
    }
}
