using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>Issue 16 item 4: the nodes a bound value's write creates, parents included, carry the configured ACL.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class DefaultAclTests(RuntimeServerFixture fixture)
{
    private const string User = "acl-app";
    private const string Password = "acl-pw";

    [Fact]
    public async Task With_credentials_and_no_DefaultAcl_the_node_and_its_created_parents_are_CreatorAll_for_the_digest_identity()
    {
        string root = RuntimeServerFixture.UniquePath("acl");
        string path = root + "/a/b/payments";
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o => o.AddDigestCredentials(User, Password));
        await host.Services.GetRequiredService<IZNode<PaymentsConfig>>().SetAsync(new PaymentsConfig { Limit = 5 }, cancellationToken: Timeouts.Token());

        // CreatorAll is substituted by the server with the session's authenticated identity: digest:user:base64(sha1(user:password)).
        Acl expected = Acl.Digest(User, Password, Permissions.All);
        Assert.StartsWith($"{User}:", expected.Id.Id, StringComparison.Ordinal);
        await using ZooKeeperClient reader = await ConnectAsync(authenticated: true);
        foreach (string created in new[] { root, root + "/a", root + "/a/b", path })
        {
            Assert.Equal([expected], (await reader.GetAclAsync(created, Timeouts.Token())).Acl);
        }

        // And it protects: a session without the credential cannot read the value.
        await using ZooKeeperClient stranger = await ConnectAsync(authenticated: false);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync(path, cancellationToken: Timeouts.Token()));
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task An_explicit_DefaultAcl_is_used_for_the_node_and_its_parents()
    {
        string root = RuntimeServerFixture.UniquePath("acl");
        string path = root + "/limits";
        IReadOnlyList<Acl> custom = [Acl.Digest(User, Password, Permissions.All), new Acl(Permissions.Read, new ZkId("world", "anyone"))];
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)), o =>
        {
            o.AddDigestCredentials(User, Password);
            o.DefaultAcl = custom;
        });
        await host.Services.GetRequiredService<IZNode<PaymentsConfig>>().UpdateAsync(p => p with { Limit = 9 }, Timeouts.Token());

        // Read back with Admin (without it the server masks digest ids as user:x).
        await using ZooKeeperClient reader = await ConnectAsync(authenticated: true);
        foreach (string created in new[] { root, path })
        {
            Assert.Equal(custom, (await reader.GetAclAsync(created, Timeouts.Token())).Acl);
        }

        // The world may read, not write.
        await using ZooKeeperClient stranger = await ConnectAsync(authenticated: false);
        Assert.NotNull((await stranger.GetDataAsync(path, cancellationToken: Timeouts.Token())).Data);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync(path, RuntimeServerFixture.Json("{}"), cancellationToken: Timeouts.Token()));
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task Without_credentials_created_nodes_are_open_as_before()
    {
        string root = RuntimeServerFixture.UniquePath("acl");
        string path = root + "/open";
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Payments(path)));
        await host.Services.GetRequiredService<IZNode<PaymentsConfig>>().SetAsync(new PaymentsConfig(), cancellationToken: Timeouts.Token());

        await using ZooKeeperClient reader = await ConnectAsync(authenticated: false);
        Assert.Equal(Acl.OpenUnsafe, (await reader.GetAclAsync(root, Timeouts.Token())).Acl);
        Assert.Equal(Acl.OpenUnsafe, (await reader.GetAclAsync(path, Timeouts.Token())).Acl);
        Assert.Equal(Acl.OpenUnsafe, host.Services.GetRequiredService<ZooKeeperSession>().DefaultAcl);
        await host.StopAsync(Timeouts.Token());
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
