namespace ZkTypedState.Testing;

/// <summary>The ports of one ensemble member, as written to every member's <c>server.N</c> line.</summary>
/// <param name="Id">The member's <c>myid</c> (1-based).</param>
/// <param name="ClientPort">The client port.</param>
/// <param name="PeerPort">The quorum (follower → leader) port.</param>
/// <param name="ElectionPort">The leader-election port.</param>
internal readonly record struct QuorumPeerEndpoint(int Id, int ClientPort, int PeerPort, int ElectionPort)
{
    /// <summary>The <c>zoo.cfg</c> line for this member.</summary>
    public KeyValuePair<string, string> ConfigLine =>
        new($"server.{Id}", $"{ZooKeeperTestServer.LoopbackHost}:{PeerPort}:{ElectionPort}");
}
