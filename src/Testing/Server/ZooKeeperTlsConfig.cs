using System.Globalization;
using System.Net.Sockets;

namespace ZkTypedState.Testing;

/// <summary>
/// The <c>zoo.cfg</c> lines of a TLS-mode server (ZooKeeper 3.5+ admin guide, "Client-Server mutual authentication"):
/// the Netty connection factory (the NIO one has no TLS), a <c>secureClientPort</c> next to the plain
/// <c>clientPort</c> (which the harness keeps for its <c>srvr</c> readiness probe), and the key and trust stores.
/// ZooKeeper turns every <c>ssl.*</c> and <c>authProvider.*</c> line into a <c>zookeeper.</c>-prefixed system property,
/// which is where its x509 provider reads them.
/// </summary>
internal static class ZooKeeperTlsConfig
{
    public const string NettyFactory = "org.apache.zookeeper.server.NettyServerCnxnFactory";

    public const string X509Provider = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

    public static IReadOnlyList<KeyValuePair<string, string>> Entries(ZooKeeperTestTlsMode mode, int securePort, ZooKeeperTestTlsCertificates certificates, string dataDirectory)
    {
        var entries = new List<KeyValuePair<string, string>>
        {
            new("serverCnxnFactory", NettyFactory),
            new("secureClientPort", securePort.ToString(CultureInfo.InvariantCulture)),
            new("secureClientPortAddress", ZooKeeperTestServer.LoopbackHost),
            new("ssl.keyStore.location", ZooKeeperConfigFile.JavaPath(Path.Combine(dataDirectory, ZooKeeperTestTlsCertificates.KeyStoreFileName))),
            new("ssl.keyStore.password", certificates.KeyStorePassword),
            new("ssl.keyStore.type", "PKCS12"),
            new("ssl.trustStore.location", ZooKeeperConfigFile.JavaPath(Path.Combine(dataDirectory, ZooKeeperTestTlsCertificates.TrustStoreFileName))),
            new("ssl.trustStore.type", "PEM"),
            new("ssl.clientAuth", mode == ZooKeeperTestTlsMode.MutualTls ? "need" : "none"),
        };

        if (mode == ZooKeeperTestTlsMode.MutualTls)
        {
            // Netty authenticates every client certificate through the provider registered as "x509"; ZooKeeper
            // registers none by default, and without one it closes every mutually authenticated connection.
            entries.Add(new("authProvider.x509", X509Provider));
        }

        return entries;
    }

    /// <summary>A free loopback port other than <paramref name="clientPort"/>.</summary>
    public static int PickSecurePort(int clientPort)
    {
        while (true)
        {
            var port = FreePorts.PickOne();
            if (port != clientPort)
            {
                return port;
            }
        }
    }

    /// <summary>
    /// Whether the secure port accepts a TCP connection. ZooKeeper binds it after the plain port, so <c>srvr</c> can answer
    /// on the plain port a moment before a TLS client could connect.
    /// </summary>
    public static async Task<bool> AcceptsAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
