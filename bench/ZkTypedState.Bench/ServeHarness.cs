using System.Runtime.InteropServices;
using ZkTypedState.Bench.Infra;
using ZkTypedState.Testing;

namespace ZkTypedState.Bench;

/// <summary>
/// <c>serve-harness</c>: what the outside harness provides, for running the scenarios locally — a ZooKeeper test
/// server, a <see cref="FaultProxy"/> in front of it and the proxy's control port. Prints
/// <c>--connect H:P --proxied H:P --control H:P</c> as one stdout line, then runs until stdin reaches EOF or
/// SIGTERM/SIGINT arrives.
/// </summary>
public static class ServeHarness
{
    public static async Task<int> RunAsync()
    {
        // ZooKeeper's default tickTime (so 4000 ms is the shortest session timeout, as expiry needs), and the JVM's
        // full tiered JIT: the test server's own JVM flags stop at C1 for a quick start, which would make a slow
        // server, not the client, what the load scenarios measure.
        var options = new ZooKeeperTestServerOptions { TickTimeMs = 2000 };
        options.ExtraJvmArguments.Add("-XX:TieredStopAtLevel=4");
        options.ExtraJvmArguments.Add("-Xmx1g");
        Log.Info("serve-harness: starting a ZooKeeper test server (tickTime 2000 ms, full JIT)");
        await using ZooKeeperTestServer server = await ZooKeeperTestServer.StartAsync(options);
        await using FaultProxy proxy = await FaultProxy.StartAsync(server);
        int controlPort = await proxy.StartControlServerAsync();
        Console.Out.WriteLine($"--connect {server.ConnectionString} --proxied {proxy.ConnectionString} --control {ZooKeeperTestServer.LoopbackHost}:{controlPort}");
        Console.Out.Flush();
        Log.Info($"serve-harness: server {server.ConnectionString}, proxy {proxy.ConnectionString}, control port {controlPort}; close stdin or send SIGTERM to stop");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        var stdin = new Thread(() =>
        {
            try
            {
                using Stream input = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (input.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            stop.TrySetResult();
        }) { IsBackground = true, Name = "stdin-eof" };
        stdin.Start();

        await stop.Task;
        Log.Info("serve-harness: stopping");
        return 0;
    }
}
