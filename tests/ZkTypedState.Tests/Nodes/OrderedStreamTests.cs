using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Testing;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>One ordered stream: the app's session handler against node notifications, and per-node mzxid order.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class OrderedStreamTests(RuntimeServerFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task On_200_re_attaches_the_app_hears_Reconnected_before_any_value_is_fresh_and_Disconnected_only_once_all_are_stale()
    {
        const int Reattaches = 200;
        string root = RuntimeServerFixture.UniquePath("reattach");
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(root);
        await writer.CreateAsync(root + "/a", RuntimeServerFixture.Json("""{"Count":0}"""));
        await writer.CreateAsync(root + "/b", RuntimeServerFixture.Json("""{"Count":0}"""));
        await using var proxy = await FaultProxy.StartAsync(fixture.Server);
        using IHost host = await RuntimeServerFixture.StartHostAsync(proxy.ConnectionString, b => b.AddZNode(Descriptors.Counters(root)), o => o.SessionTimeout = TimeSpan.FromSeconds(10));
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var family = host.Services.GetRequiredService<IZNodeFamily<Counter>>();
        IZNode<Counter>[] nodes = [family.Get("a"), family.Get("b")];
        await runtime.WaitForAllLoadedAsync(Timeouts.Token());

        // Everything below runs on the runtime's one executor, so plain fields suffice for what the handlers share.
        var violations = new List<string>();
        SessionEventKind? heard = null;
        int reconnects = 0;
        var disconnected = new SemaphoreSlim(0);
        var resynced = new SemaphoreSlim(0);
        runtime.SessionChanged += e =>
        {
            heard = e.Kind;
            if (e.Kind == SessionEventKind.Disconnected)
            {
                if (nodes.Any(n => n.Status != ZNodeStatus.Stale))
                {
                    violations.Add($"Disconnected heard while a value reads {string.Join("/", nodes.Select(n => n.Status))}");
                }

                disconnected.Release();
            }
            else if (e.Kind == SessionEventKind.Reconnected)
            {
                reconnects++;
                if (nodes.Any(n => n.Status == ZNodeStatus.Fresh))
                {
                    violations.Add($"re-attach {reconnects}: a value read Fresh before the app heard Reconnected");
                }
            }
        };
        foreach (IZNode<Counter> node in nodes)
        {
            node.Signaled += s =>
            {
                if (s.Kind == ZNodeSignalKind.Resynced)
                {
                    if (heard != SessionEventKind.Reconnected)
                    {
                        violations.Add($"{s.Path} signalled Resynced after the app heard {heard}, not Reconnected");
                    }

                    resynced.Release();
                }
            };
            node.Changed += c =>
            {
                if (c.Current.Status == ZNodeStatus.Fresh && heard == SessionEventKind.Disconnected)
                {
                    violations.Add($"{c.Path} changed to a Fresh value while the app had heard Disconnected");
                }
            };
        }

        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= Reattaches; i++)
        {
            proxy.Cut();
            Assert.True(await disconnected.WaitAsync(Timeouts.Event), $"re-attach {i}: no Disconnected");
            if (i % 2 == 0)
            {
                // A change while away: its catch-up re-read must also come after the app heard Reconnected.
                await writer.SetDataAsync(root + "/a", RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""));
            }

            proxy.Restore();
            Assert.True(await resynced.WaitAsync(Timeouts.Event), $"re-attach {i}: no Resynced");
            Assert.True(await resynced.WaitAsync(Timeouts.Event), $"re-attach {i}: only one Resynced");
            Assert.Equal(i - (i % 2), nodes[0].Value.Count);
            Assert.All(nodes, n => Assert.Equal(ZNodeStatus.Fresh, n.Status));
        }

        output.WriteLine($"{Reattaches} re-attaches in {clock.Elapsed.TotalSeconds:0.0} s; {violations.Count} ordering violations");
        Assert.Empty(violations);
        Assert.Equal(Reattaches, reconnects);
        Assert.Equal(1, host.Services.GetRequiredService<ZooKeeperSession>().Epoch);
        await host.StopAsync();
    }

    [Fact]
    public async Task Under_4_concurrent_writers_Changed_arrives_in_mzxid_order_for_5000_changes()
    {
        const int Wanted = 5000;
        string path = RuntimeServerFixture.UniquePath("order");
        await using var external = await fixture.ConnectAsync();
        await external.CreateAsync(path, RuntimeServerFixture.Json("""{"Count":0}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counter(path)));
        var node = host.Services.GetRequiredService<IZNode<Counter>>();
        var mzxids = new List<long>(Wanted * 2);
        int inversions = 0;
        int notPreviousChained = 0;
        int changes = 0;
        long lastMzxid = node.Current.Mzxid;
        node.Changed += c =>
        {
            // Delivered one at a time on the runtime's executor.
            if (c.Current.Mzxid <= lastMzxid)
            {
                inversions++;
            }

            if (c.Previous.Mzxid > lastMzxid)
            {
                notPreviousChained++;
            }

            lastMzxid = c.Current.Mzxid;
            mzxids.Add(c.Current.Mzxid);
            Interlocked.Increment(ref changes);
        };

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        int Count() => Volatile.Read(ref changes);
        long lastWritten = 0;

        // Two writers through the bound node (read-your-writes, applied from the writing thread) and two through
        // another client (applied by the watch's re-read): both paths race for the node's state.
        async Task WriteAsync(int writer, bool own)
        {
            for (int i = 1; !stop.IsCancellationRequested && Count() < Wanted; i++)
            {
                var value = new Counter { Count = writer * 1_000_000 + i };
                Stat stat = own
                    ? await node.SetAsync(value, cancellationToken: stop.Token)
                    : await external.SetDataAsync(path, RuntimeServerFixture.Json($$"""{"Count":{{value.Count}}}"""), cancellationToken: stop.Token);
                InterlockedMax(ref lastWritten, stat.Mzxid);
            }
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(WriteAsync(1, own: true), WriteAsync(2, own: true), WriteAsync(3, own: false), WriteAsync(4, own: false));
        await NodeEvents<Counter>.WaitUntilAsync(node, s => s.Mzxid == Interlocked.Read(ref lastWritten));

        output.WriteLine($"{mzxids.Count} Changed events in {clock.Elapsed.TotalSeconds:0.0} s; {inversions} inversions");
        Assert.True(mzxids.Count >= Wanted, $"only {mzxids.Count} changes within the deadline");
        Assert.Equal(0, inversions);
        Assert.Equal(0, notPreviousChained);
        await host.StopAsync();
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current = Interlocked.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Interlocked.Read(ref target);
        }
    }
}
