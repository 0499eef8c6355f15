using ZkTypedState.Testing;

namespace ZkTypedState.Benchmarks;

/// <summary>A local ZooKeeper server for the benchmarks that need one (started in GlobalSetup, one per process).</summary>
public static class LocalServer
{
    /// <summary>
    /// ZooKeeper's default tickTime, and the JVM's full tiered JIT: the test server's default JVM flags stop at C1
    /// (quick start for tests), which would make the server, not the client, the bottleneck of a throughput run.
    /// </summary>
    public static Task<ZooKeeperTestServer> StartAsync()
    {
        var options = new ZooKeeperTestServerOptions { TickTimeMs = 2000 };
        options.ExtraJvmArguments.Add("-XX:TieredStopAtLevel=4");
        options.ExtraJvmArguments.Add("-Xmx1g");
        return ZooKeeperTestServer.StartAsync(options);
    }
}
