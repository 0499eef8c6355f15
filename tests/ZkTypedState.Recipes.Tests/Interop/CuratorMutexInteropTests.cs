using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests.Interop;

/// <summary>
/// A Java holder using Apache Curator's InterProcessMutex (Debian's Curator 5.4) and .NET <see cref="DistributedLock"/>
/// holders on the same path exclude each other, hand over both ways, and survive a kill -9 of the Java holder.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed partial class CuratorMutexInteropTests(ZooKeeperFixture fixture, CuratorJava java, ITestOutputHelper output) : IClassFixture<CuratorJava>
{
    [Fact]
    public async Task Dotnet_and_curator_holders_exclude_each_other_hand_over_both_ways_and_a_killed_java_holder_is_replaced_after_its_session_timeout()
    {
        string path = ZooKeeperFixture.UniquePath("mutex-interop");
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var dotnet = new DistributedLock(session, path, new DistributedLockOptions { OwnerId = "dotnet" });
        await using CuratorParticipant curator = java.StartMutex(fixture.ConnectionString, path, "java", sessionTimeoutMs: 1500);
        await curator.WaitStartedAsync();

        // .NET holds; Curator queues behind it and does not acquire.
        DistributedLockHandle h1 = await dotnet.AcquireAsync(Timeouts.Token());
        await curator.SendAsync("acquire");
        IReadOnlyList<string> nodes = await WaitForNodesAsync(curator, 2);
        Assert.Equal(h1.NodePath, nodes[0]);
        Assert.All(nodes, n => Assert.Matches(LockName(), n.Split('/')[^1]));
        Assert.Equal(0, curator.PendingAcquisitions);

        // .NET releases: Curator acquires; its token (the czxid of its node) is higher.
        await h1.DisposeAsync();
        long javaToken = await curator.NextAcquiredAsync();
        Assert.True(javaToken > h1.FencingToken);

        // While Curator holds, .NET cannot: a timed try gives up and leaves no node; a waiter gets it on Curator's release.
        Assert.Null(await dotnet.TryAcquireAsync(TimeSpan.FromMilliseconds(300), Timeouts.Token()));
        Assert.Single(await curator.NodesAsync());
        Task<DistributedLockHandle> waiting = dotnet.AcquireAsync(Timeouts.Token());
        await WaitForNodesAsync(curator, 2);
        Assert.False(waiting.IsCompleted);
        await curator.SendAsync("release");
        DistributedLockHandle h2 = await waiting.WaitAsync(Timeouts.Event);
        Assert.True(h2.FencingToken > javaToken);

        // Curator queues again behind .NET; .NET releases; Curator holds; then the JVM is killed (kill -9) while
        // holding: the .NET waiter acquires once the server expires the dead session.
        await curator.SendAsync("acquire");
        await WaitForNodesAsync(curator, 2);
        await h2.DisposeAsync();
        long javaToken2 = await curator.NextAcquiredAsync();
        Task<DistributedLockHandle> afterKill = dotnet.AcquireAsync(Timeouts.Token());
        await WaitForNodesAsync(curator, 2);
        var clock = Stopwatch.StartNew();
        await curator.KillAsync();
        await using DistributedLockHandle h3 = await afterKill.WaitAsync(Timeouts.Event);
        output.WriteLine($".NET acquired {clock.ElapsedMilliseconds} ms after the Java holder was killed (session timeout 1500 ms)");
        Assert.True(h3.FencingToken > javaToken2);
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(500), "the lock was handed over before the dead holder's session could expire");
        Assert.True(dotnet.IsHeld);
    }

    private static async Task<IReadOnlyList<string>> WaitForNodesAsync(CuratorParticipant curator, int count)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            IReadOnlyList<string> nodes = await curator.NodesAsync();
            if (nodes.Count >= count)
            {
                return nodes;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    [GeneratedRegex("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\\d{10}$")]
    private static partial Regex LockName();
}
