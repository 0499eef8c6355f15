using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests.Interop;

/// <summary>
/// Java participants using Apache Curator's LeaderLatch (Debian's Curator 5.4) and .NET participants on the same latch
/// path agree on one leader, through closes and kills of either side.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed partial class CuratorInteropTests(ZooKeeperFixture fixture, CuratorJava java, ITestOutputHelper output) : IClassFixture<CuratorJava>
{
    [Fact]
    public async Task A_dotnet_leader_and_a_curator_follower_agree_and_hand_over_both_ways()
    {
        string path = ZooKeeperFixture.UniquePath("interop");
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await using var dotnet1 = new LeaderElection(s1, path, new LeaderElectionOptions { ParticipantId = "dotnet-1" });
        await dotnet1.StartAsync();
        LeaderTerm t1 = await dotnet1.WaitForLeadershipAsync(Timeouts.Token());

        await using CuratorParticipant curator = java.Start(fixture.ConnectionString, path, "java-1");
        await curator.WaitStartedAsync();
        await WaitForChildrenAsync(observer, path, 2);

        // One leader: .NET's node is lowest; Curator agrees it is not the leader.
        (bool javaLeads, string? javaPath) = await curator.StatusAsync();
        Assert.False(javaLeads);
        Assert.True(dotnet1.IsLeader);
        Assert.NotNull(javaPath);
        Assert.Matches(LatchName(), javaPath!.Split('/')[^1]);
        Assert.Matches(LatchName(), t1.NodePath.Split('/')[^1]);
        IReadOnlyList<ElectionParticipant> listed = await dotnet1.GetParticipantsAsync();
        Assert.Equal(["dotnet-1", "java-1"], listed.Select(p => p.ParticipantId));

        // The .NET leader leaves: Curator takes over.
        await dotnet1.StepDownAsync(Timeouts.Token());
        await curator.WaitForLeaderAsync();
        Assert.True((await curator.StatusAsync()).IsLeader);

        // A new .NET participant queues behind Curator, and leads when Curator's latch closes.
        await using ZooKeeperSession s2 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString);
        await using var dotnet2 = new LeaderElection(s2, path, new LeaderElectionOptions { ParticipantId = "dotnet-2" });
        var recorder = new LeadershipRecorder(dotnet2);
        await dotnet2.StartAsync();
        await ElectionTests.WaitUntilJoinedAsync(dotnet2);
        await dotnet2.FlushForTestingAsync();
        Assert.False(dotnet2.IsLeader);
        Assert.Equal(["java-1", "dotnet-2"], (await dotnet2.GetParticipantsAsync()).Select(p => p.ParticipantId));

        await curator.CloseLatchAsync();
        (LeadershipAcquired acquired, _) = await recorder.NextAcquiredAsync();
        Assert.True(acquired.Term.FencingToken > t1.FencingToken);
        Assert.False((await curator.StatusAsync()).IsLeader);
    }

    [Fact]
    public async Task Kills_of_either_side_hand_leadership_to_the_other()
    {
        string path = ZooKeeperFixture.UniquePath("interop-kill");
        await using ZooKeeperClient observer = await fixture.ConnectAsync();

        // Curator first: it leads; the .NET participant waits behind it.
        await using CuratorParticipant curator1 = java.Start(fixture.ConnectionString, path, "java-1", sessionTimeoutMs: 1500);
        await curator1.WaitStartedAsync();
        await curator1.WaitForLeaderAsync();
        await using ZooKeeperSession s1 = await ZooKeeperFixture.StartSessionAsync(fixture.ConnectionString, TimeSpan.FromSeconds(2));
        await using var dotnet1 = new LeaderElection(s1, path, new LeaderElectionOptions { ParticipantId = "dotnet-1" });
        var recorder = new LeadershipRecorder(dotnet1);
        await dotnet1.StartAsync();
        await ElectionTests.WaitUntilJoinedAsync(dotnet1);
        Assert.False(dotnet1.IsLeader);

        // A second Java participant queues behind .NET.
        await using CuratorParticipant curator2 = java.Start(fixture.ConnectionString, path, "java-2", sessionTimeoutMs: 1500);
        await curator2.WaitStartedAsync();
        await WaitForChildrenAsync(observer, path, 3);
        Assert.Equal(["java-1", "dotnet-1", "java-2"], (await dotnet1.GetParticipantsAsync()).Select(p => p.ParticipantId));

        // kill -9 of the Java leader: its session expires on the server, and .NET (next in line) leads.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await curator1.KillAsync();
        (LeadershipAcquired acquired, _) = await recorder.NextAcquiredAsync();
        output.WriteLine($".NET led {clock.ElapsedMilliseconds} ms after the Java leader was killed");
        Assert.False((await curator2.StatusAsync()).IsLeader);

        // The .NET leader's process "dies" (its session is closed): the remaining Java participant leads.
        await s1.DisposeAsync();
        await curator2.WaitForLeaderAsync();
        Assert.False(dotnet1.IsLeader);
        Assert.True((await curator2.StatusAsync()).IsLeader);
        Assert.Equal(LeadershipLossReason.Closed, (await recorder.NextLostAsync()).Event.Reason);
        Assert.True(acquired.Term.FencingToken > 0);
    }

    private static async Task WaitForChildrenAsync(ZooKeeperClient observer, string path, int count)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Event);
        while (true)
        {
            try
            {
                if ((await observer.GetChildrenAsync(path, null, timeout.Token)).Children.Count >= count)
                {
                    return;
                }
            }
            catch (NoNodeException)
            {
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    [GeneratedRegex("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\\d{10}$")]
    private static partial Regex LatchName();
}
