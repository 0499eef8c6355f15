using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Operations;

[Collection(ServerCollection.Name)]
public sealed class AclAndAuthTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task A_digest_protected_node_is_NoAuth_without_credentials_and_readable_with_them()
    {
        string path = ZooKeeperServerFixture.UniquePath("acl");
        await using (var owner = await fixture.ConnectAsync())
        {
            await owner.CreateAsync(path, Encoding.UTF8.GetBytes("secret"), CreateMode.Persistent, [Acl.Digest("alice", "pw", Permissions.All)]);
        }

        await using var anonymous = await fixture.ConnectAsync();
        var denied = await Assert.ThrowsAsync<NoAuthException>(() => anonymous.GetDataAsync(path));
        Assert.Equal(path, denied.Path);

        await using var wrong = await fixture.ConnectAsync();
        await wrong.AddDigestAuthAsync("alice", "not-the-password");
        await Assert.ThrowsAsync<NoAuthException>(() => wrong.GetDataAsync(path));

        await using var alice = await fixture.ConnectAsync();
        await alice.AddDigestAuthAsync("alice", "pw");
        Assert.Equal("secret", Encoding.UTF8.GetString((await alice.GetDataAsync(path)).Data));
        await alice.SetDataAsync(path, Encoding.UTF8.GetBytes("changed"));
    }

    [Fact]
    public async Task GetAcl_and_SetAcl_round_trip_with_aversion_checks()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath("acl");
        await client.CreateAsync(path);

        NodeAcl initial = await client.GetAclAsync(path);
        Assert.Equal(Acl.OpenUnsafe, initial.Acl);

        await Assert.ThrowsAsync<BadVersionException>(() => client.SetAclAsync(path, Acl.ReadUnsafe, aclVersion: 3));
        Stat changed = await client.SetAclAsync(path, Acl.ReadUnsafe, aclVersion: 0);
        NodeAcl after = await client.GetAclAsync(path);

        Assert.Equal(1, changed.Aversion);
        Assert.Equal(Acl.ReadUnsafe, after.Acl);
        await Assert.ThrowsAsync<NoAuthException>(() => client.SetDataAsync(path, Encoding.UTF8.GetBytes("x")));
    }

    [Fact]
    public async Task CreatorAll_grants_the_authenticated_identity_only()
    {
        string path = ZooKeeperServerFixture.UniquePath("acl");
        await using var bob = await fixture.ConnectAsync();
        await bob.AddDigestAuthAsync("bob", "pw");
        await bob.CreateAsync(path, Encoding.UTF8.GetBytes("b"), CreateMode.Persistent, Acl.CreatorAll);

        NodeAcl acl = await bob.GetAclAsync(path);
        Assert.Equal(Acl.Digest("bob", "pw", Permissions.All), Assert.Single(acl.Acl));

        await using var anonymous = await fixture.ConnectAsync();
        await Assert.ThrowsAsync<NoAuthException>(() => anonymous.GetDataAsync(path));
    }

    [Fact]
    public async Task An_unknown_auth_scheme_fails_the_client_terminally_with_AuthFailed()
    {
        await using var client = await fixture.ConnectAsync();
        var states = new List<ZooKeeperState>();
        client.StateChanged += change => { lock (states) { states.Add(change.Current); } };

        await Assert.ThrowsAsync<AuthFailedException>(() => client.AddAuthAsync("no-such-scheme", [1, 2, 3]));
        await client.WaitForStateAsync(s => s == ZooKeeperState.AuthFailed, Timeouts.Token());

        Assert.Equal(ZooKeeperState.AuthFailed, client.State);
        await Assert.ThrowsAsync<AuthFailedException>(() => client.GetDataAsync("/"));
    }
}
