using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Families;

/// <summary>Issue 12, Why 5: members discovered from ZooKeeper, loaded by the initial sync, bounded non-members.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class FamilyDiscoveryTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task A_family_of_1000_existing_members_is_fully_loaded_by_the_initial_sync_and_Get_returns_each_value_without_waiting()
    {
        string root = RuntimeServerFixture.UniquePath("members");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => writer.CreateAsync($"{root}/n{i:D4}", RuntimeServerFixture.Json($$"""{"Count":{{i + 1}}}"""))));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        long readsAfterStart = runtime.ReadsIssued;

        Assert.True(family.IsDiscovered);
        Assert.Equal(1000, family.Members.Count);
        for (int i = 0; i < 1000; i++)
        {
            IZNode<Counter> node = family.Get($"n{i:D4}");
            Assert.Equal(ZNodeStatus.Fresh, node.Status);
            Assert.Equal(i + 1, node.Value.Count);
            Assert.Equal(i + 1, monitor.Get($"n{i:D4}").Count);
        }

        // Nothing was bound or read by the Gets: every member was already loaded.
        Assert.Equal(readsAfterStart, runtime.ReadsIssued);
        Assert.Equal(1000, runtime.BoundNodeCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task Ten_thousand_distinct_unknown_names_never_grow_the_bound_nodes_past_MaxFamilyNonMembers()
    {
        const int Bound = 100;
        string root = RuntimeServerFixture.UniquePath("unknown");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/real", RuntimeServerFixture.Json("""{"Count":7}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.MaxFamilyNonMembers = Bound);
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        IZNode<Counter> real = family.Get("real");

        // TryGet (what a request handler should use for a name from a URL) binds nothing.
        Assert.False(family.TryGet(["nobody"], out _));
        Assert.Equal(1, runtime.BoundNodeCount);

        int peak = 0;
        for (int i = 0; i < 10_000; i++)
        {
            IZNode<Counter> unknown = family.Get($"u{i}");
            Assert.NotEqual(ZNodeStatus.Fresh, unknown.Status);
            peak = Math.Max(peak, runtime.BoundNodeCount);
        }

        Assert.InRange(peak, 1, 1 + Bound);
        Assert.Equal(1 + Bound, family.BoundCount);

        // And on the server: the unbound names' watches are removed, so the session watches about the bound nodes
        // (the member, the bounded non-members, the root's child watch) — not 10,000 paths.
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        long sessionId = host.Services.GetRequiredService<ZooKeeperSession>().Client!.SessionId;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int watched;
        while ((watched = WatchedPaths(await fixture.Server.SendFourLetterWordAsync("wchc"), sessionId, root)) > 2 + Bound)
        {
            Assert.True(clock.Elapsed < Timeouts.Event, $"the server still watches {watched} paths under the root for the session (bound: {2 + Bound})");
            await Task.Delay(50);
        }

        Assert.Equal(["real"], family.Members);

        // The member was never evicted, and the most recent unknown names are still bound (and follow their nodes).
        Assert.Same(real, family.Get("real"));
        Assert.True(family.TryGet(["u9999"], out IZNode<Counter>? recent));
        Assert.False(family.TryGet(["u0"], out _));
        await recent.WaitForLoadedAsync(Timeouts.Token());
        await writer.CreateAsync(root + "/u9999", RuntimeServerFixture.Json("""{"Count":3}"""));
        await NodeEvents<Counter>.WaitUntilAsync(recent, s => s.Value.Count == 3);
        await Harness.UntilAsync(() => family.Members.Contains("u9999"), "u9999 became a member");
        Assert.Same(recent, family.Get("u9999"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Members_come_and_go_with_their_nodes_and_MemberAdded_precedes_the_members_first_change()
    {
        string root = RuntimeServerFixture.UniquePath("churn");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/acme", RuntimeServerFixture.Json("""{"MaxUsers":5}"""));
        await writer.CreateAsync(root + "/acme/limits", RuntimeServerFixture.Json("""{"MaxUsers":5}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Tenants(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<TenantLimits>>();
        var events = new FamilyEvents<TenantLimits>(family, v => v.MaxUsers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["acme"], family.Members);
        Assert.Equal(5, family.Get("acme").Value.MaxUsers);

        // A tenant without limits is a member whose node is missing; creating the limits is that member's first change.
        await writer.CreateAsync(root + "/globex");
        Assert.Equal("added:globex", await events.NextAsync());
        Assert.Equal(ZNodeStatus.Missing, (await family.GetAsync(["globex"], Timeouts.Token())).Status);
        await writer.CreateAsync(root + "/globex/limits", RuntimeServerFixture.Json("""{"MaxUsers":9}"""));
        Assert.Equal("changed:globex=9", await events.NextAsync());

        // A member created with its node in one go: announced, then its value.
        await writer.MultiAsync([new Op.Create(root + "/initech", default), new Op.Create(root + "/initech/limits", RuntimeServerFixture.Json("""{"MaxUsers":3}"""))]);
        Assert.Equal("added:initech", await events.NextAsync());
        Assert.Equal("changed:initech=3", await events.NextAsync());
        Assert.Equal(["acme", "globex", "initech"], family.Members.Order(StringComparer.Ordinal));

        await writer.DeleteAsync(root + "/acme/limits");
        await writer.DeleteAsync(root + "/acme");
        await events.UntilAsync("removed:acme");
        Assert.Equal(["globex", "initech"], family.Members.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("acme", family.Members);
        await host.StopAsync();
    }

    [Fact]
    public async Task Concurrent_first_Gets_of_one_name_bind_it_once_and_OnChange_fires_once_per_change()
    {
        string root = RuntimeServerFixture.UniquePath("race");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/sentinel", RuntimeServerFixture.Json("""{"Count":0}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var seen = new List<(string? Name, int Count)>();
        var sentinelSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable? subscription = monitor.OnChange((value, name) =>
        {
            lock (seen)
            {
                seen.Add((name, value.Count));
            }

            if (name == "sentinel")
            {
                sentinelSeen.TrySetResult();
            }
        });

        for (int round = 0; round < 5; round++)
        {
            string name = $"x{round}";
            using var start = new Barrier(16);
            // Dedicated threads (the barrier blocks them; pool threads would be injected one by one on 2 cores).
            IZNode<Counter>[] nodes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return family.Get(name);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)));
            Assert.All(nodes, n => Assert.Same(nodes[0], n));
            await nodes[0].WaitForLoadedAsync(Timeouts.Token());
            await writer.CreateAsync($"{root}/{name}", RuntimeServerFixture.Json($$"""{"Count":{{round + 1}}}"""));
            await NodeEvents<Counter>.WaitUntilAsync(nodes[0], s => s.Value.Count == round + 1);
        }

        // Every duplicate subscription would have been called in the same delivery; a later change on the stream bounds them.
        await writer.SetDataAsync(root + "/sentinel", RuntimeServerFixture.Json("""{"Count":1}"""));
        await sentinelSeen.Task.WaitAsync(Timeouts.Event);
        lock (seen)
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(r => ((string?)$"x{r}", r + 1)).Append(("sentinel", 1)), seen);
        }

        Assert.Equal(6, runtime.BoundNodeCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_two_parameter_template_is_discovered_level_by_level()
    {
        string root = RuntimeServerFixture.UniquePath("levels");
        await using var writer = await fixture.ConnectAsync();
        foreach (string path in new[] { root, $"{root}/t1", $"{root}/t1/regions", $"{root}/t2", $"{root}/t2/regions", $"{root}/t3" })
        {
            await writer.CreateAsync(path);
        }

        await writer.CreateAsync($"{root}/t1/regions/eu", RuntimeServerFixture.Json("""{"Count":1}"""));
        await writer.CreateAsync($"{root}/t1/regions/us", RuntimeServerFixture.Json("""{"Count":2}"""));
        await writer.CreateAsync($"{root}/t2/regions/eu", RuntimeServerFixture.Json("""{"Count":3}"""));
        var descriptor = new ZNodeDescriptor<Counter>(root + "/{tenant}/regions/{region}", TestJsonContext.Default.Counter, static () => new Counter());
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(descriptor));
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var events = new FamilyEvents<Counter>(family, v => v.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(["t1/eu", "t1/us", "t2/eu"], family.Members.Order(StringComparer.Ordinal));
        Assert.Equal(2, family.Get("t1", "us").Value.Count);

        // A new first-level value without its second level yet, then its second level, then a region under it.
        await writer.CreateAsync($"{root}/t3/regions");
        await writer.CreateAsync($"{root}/t3/regions/ap", RuntimeServerFixture.Json("""{"Count":4}"""));
        Assert.Equal("added:t3/ap", await events.NextAsync());
        Assert.Equal("changed:t3/ap=4", await events.NextAsync());

        // Removing a first-level value removes all its members.
        await writer.DeleteAsync($"{root}/t1/regions/eu");
        await writer.DeleteAsync($"{root}/t1/regions/us");
        await writer.DeleteAsync($"{root}/t1/regions");
        await writer.DeleteAsync($"{root}/t1");
        await Harness.UntilAsync(() => family.Members.Count == 2, "t1's members left");
        Assert.Equal(["t2/eu", "t3/ap"], family.Members.Order(StringComparer.Ordinal));
        Assert.Contains("removed:t1/eu", events.All);
        Assert.Contains("removed:t1/us", events.All);
        await host.StopAsync();
    }

    [Fact]
    public async Task Members_created_while_disconnected_arrive_through_the_restored_child_watch_and_after_a_session_loss_the_members_are_listed_again()
    {
        string root = RuntimeServerFixture.UniquePath("rewatch");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":1}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            proxy.ConnectionString,
            b => b.AddZNode(Descriptors.Counters(root)),
            o =>
            {
                o.SessionTimeout = TimeSpan.FromSeconds(2);
                o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(200);
            });
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var events = new FamilyEvents<Counter>(family, v => v.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        runtime.SessionChanged += e => events.Note($"{e.Kind} epoch {e.Epoch} watches restored {e.Restored?.Complete}");
        using var session = new SessionEvents(runtime);

        // Reconnect within the session: SetWatches restores the child watch and the server fires it for the change.
        proxy.ResetCounters();
        proxy.Cut();
        await NodeEvents<Counter>.WaitUntilAsync(family.Get("a"), s => s.Status == ZNodeStatus.Stale);
        await writer.CreateAsync(root + "/b", RuntimeServerFixture.Json("""{"Count":2}"""));
        proxy.Restore();
        await session.FirstAsync(SessionEventKind.Reconnected);
        Assert.Equal("added:b", await events.NextAsync());
        Assert.Equal("changed:b=2", await events.NextAsync());
        Assert.Equal(1, proxy.GetRequestCount(12)); // one getChildren, for the fired watch; nothing re-listed blindly

        // Session loss: the new session lists every level again and the diff is announced.
        proxy.Blackhole();
        await NodeEvents<Counter>.WaitUntilAsync(family.Get("a"), s => s.Status == ZNodeStatus.Invalidated);
        await writer.CreateAsync(root + "/c", RuntimeServerFixture.Json("""{"Count":3}"""));
        await writer.DeleteAsync(root + "/b");
        proxy.Restore();
        await session.FirstAsync(SessionEventKind.Established);
        List<string> before = await events.UntilAsync("changed:c=3");

        // (b's switch to the default at the loss is b's own change; the listing's diff: removals, then additions.)
        Assert.Equal(["removed:b", "added:c"], before.Where(e => !e.StartsWith("changed:b", StringComparison.Ordinal)));
        Assert.Equal(["a", "c"], family.Members.Order(StringComparer.Ordinal));
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());
        Assert.Equal(1, family.Get("a").Value.Count);
        await host.StopAsync();
    }

    /// <summary>The paths under <paramref name="root"/> the server watches for a session (4lw <c>wchc</c>: a session id line, then tab-indented paths).</summary>
    private static int WatchedPaths(string wchc, long sessionId, string root)
    {
        string header = $"0x{sessionId:x}";
        bool inSession = false;
        int count = 0;
        foreach (string line in wchc.Split('\n'))
        {
            if (!line.StartsWith('\t'))
            {
                inSession = line.Trim().Equals(header, StringComparison.OrdinalIgnoreCase);
            }
            else if (inSession && (line.Trim() == root || line.Trim().StartsWith(root + "/", StringComparison.Ordinal)))
            {
                count++;
            }
        }

        return count;
    }
}
