using System.Diagnostics;
using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>A ConnectionLoss on the create leaves its outcome unknown: the node is found by its protected prefix, never duplicated.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ProtectedCreateTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task A_create_whose_reply_is_lost_is_recovered_by_its_protected_prefix_without_a_duplicate_node()
    {
        string path = ZooKeeperFixture.UniquePath("protected");
        await using ZooKeeperClient observer = await fixture.ConnectAsync();
        await CreatePathAsync(observer, path);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);
        await using ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString);
        long sessionId = session.Client!.SessionId;
        await using var election = new LeaderElection(session, path);
        var recorder = new LeadershipRecorder(election);

        // Replies come back slowly; as soon as the create has reached the server, the connection is cut: its reply is lost.
        proxy.ResetCounters();
        proxy.Delay = TimeSpan.FromMilliseconds(400);
        await election.StartAsync();
        var clock = Stopwatch.StartNew();
        while (proxy.GetRequestCount(ZooKeeperOpCodes.Create2) + proxy.GetRequestCount(ZooKeeperOpCodes.Create) == 0)
        {
            Assert.True(clock.Elapsed < Timeouts.Event, "the create never reached the server");
            await Task.Delay(5);
        }

        proxy.Cut();
        proxy.Delay = TimeSpan.Zero;
        proxy.Restore();

        (LeadershipAcquired acquired, _) = await recorder.NextAcquiredAsync();
        Assert.Equal(sessionId, session.Client!.SessionId);
        NodeChildren children = await observer.GetChildrenAsync(path);
        Assert.Equal(LatchNodes.NameOf(acquired.Term.NodePath), Assert.Single(children.Children));
        Assert.Equal(1, proxy.GetRequestCount(ZooKeeperOpCodes.Create2) + proxy.GetRequestCount(ZooKeeperOpCodes.Create));
        Assert.Equal(1, election.RecoveredCreates);
    }

    internal static async Task CreatePathAsync(ZooKeeperClient client, string path)
    {
        string current = string.Empty;
        foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + segment;
            try
            {
                await client.CreateAsync(current);
            }
            catch (NodeExistsException)
            {
            }
        }
    }
}
