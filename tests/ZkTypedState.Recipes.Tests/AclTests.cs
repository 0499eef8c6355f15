using ZkTypedState.Client;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests;

/// <summary>Issue 16 item 4: election and lock nodes, and the parents they create, carry the configured ACL.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class AclTests(ZooKeeperFixture fixture)
{
    private const string User = "recipe-app";
    private const string Password = "recipe-pw";

    [Fact]
    public async Task An_election_in_a_session_with_credentials_creates_its_node_and_parents_CreatorAll()
    {
        string electionPath = await UniqueUnderOpenRootAsync("acl-election") + "/leader";
        await using ZooKeeperSession session = await StartSessionAsync(withCredentials: true);
        await using var election = new LeaderElection(session, electionPath, new LeaderElectionOptions { ParticipantId = "p1" });
        await election.StartAsync(Timeouts.Token());
        LeaderTerm term = await election.WaitForLeadershipAsync(Timeouts.Token());

        Acl expected = Acl.Digest(User, Password, Permissions.All);
        await using ZooKeeperClient reader = await ConnectAsync(authenticated: true);
        foreach (string created in new[] { electionPath[..electionPath.LastIndexOf('/')], electionPath, term.NodePath })
        {
            Assert.Equal([expected], (await reader.GetAclAsync(created, Timeouts.Token())).Acl);
        }
    }

    [Fact]
    public async Task A_lock_with_its_own_ACL_creates_its_node_and_parent_with_it()
    {
        string lockPath = await UniqueUnderOpenRootAsync("acl-lock") + "/orders";
        IReadOnlyList<Acl> custom = [Acl.Digest(User, Password, Permissions.All), new Acl(Permissions.Read, new ZkId("world", "anyone"))];
        await using ZooKeeperSession session = await StartSessionAsync(withCredentials: true);
        await using var mutex = new DistributedLock(session, lockPath, new DistributedLockOptions { DefaultAcl = custom, OwnerId = "h1" });
        await using DistributedLockHandle handle = await mutex.AcquireAsync(Timeouts.Token());

        await using ZooKeeperClient reader = await ConnectAsync(authenticated: true);
        Assert.Equal(custom, (await reader.GetAclAsync(lockPath, Timeouts.Token())).Acl);
        Assert.Equal(custom, (await reader.GetAclAsync(handle.NodePath, Timeouts.Token())).Acl);
    }

    [Fact]
    public async Task A_lock_in_a_session_without_credentials_keeps_the_open_ACL()
    {
        string lockPath = await UniqueUnderOpenRootAsync("acl-lock") + "/open";
        await using ZooKeeperSession session = await StartSessionAsync(withCredentials: false);
        await using var mutex = new DistributedLock(session, lockPath);
        await using DistributedLockHandle handle = await mutex.AcquireAsync(Timeouts.Token());

        await using ZooKeeperClient reader = await ConnectAsync(authenticated: false);
        Assert.Equal(Acl.OpenUnsafe, (await reader.GetAclAsync(handle.NodePath, Timeouts.Token())).Acl);
    }

    [Fact]
    public async Task CreatorAll_without_credentials_and_an_empty_ACL_are_refused_when_the_recipe_is_created()
    {
        await using ZooKeeperSession session = await StartSessionAsync(withCredentials: false);

        var creatorAll = Assert.Throws<ArgumentException>(() => new DistributedLock(session, "/recipes/never", new DistributedLockOptions { DefaultAcl = Acl.CreatorAll }));
        Assert.Contains("DistributedLockOptions.DefaultAcl[0] is an 'auth' entry", creatorAll.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ArgumentException>(() => new LeaderElection(session, "/recipes/never", new LeaderElectionOptions { DefaultAcl = [] }));
        Assert.Contains("LeaderElectionOptions.DefaultAcl is empty", empty.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A unique path whose shared ancestor (/recipes) exists with the open ACL: created by a credential-less client here,
    /// so that this test's CreatorAll never lands on a node the other recipe tests create children under.
    /// </summary>
    private async Task<string> UniqueUnderOpenRootAsync(string hint)
    {
        await using ZooKeeperClient plain = await fixture.ConnectAsync();
        try
        {
            await plain.CreateAsync("/recipes", cancellationToken: Timeouts.Token());
        }
        catch (NodeExistsException)
        {
        }

        return ZooKeeperFixture.UniquePath(hint);
    }

    private async Task<ZooKeeperSession> StartSessionAsync(bool withCredentials)
    {
        var options = new ZkTypedStateOptions { ConnectionString = fixture.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4) };
        if (withCredentials)
        {
            options.AddDigestCredentials(User, Password);
        }

        var session = new ZooKeeperSession(options);
        session.Start();
        await session.GetConnectedClientAsync(Timeouts.Token());
        return session;
    }

    private async Task<ZooKeeperClient> ConnectAsync(bool authenticated)
    {
        ZooKeeperClient client = await fixture.ConnectAsync();
        if (authenticated)
        {
            await client.AddDigestAuthAsync(User, Password, Timeouts.Token());
        }

        return client;
    }
}
