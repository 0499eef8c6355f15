// Quickstart: a generic-host app whose configuration lives in ZooKeeper.
//   dotnet run --project samples/Quickstart                 starts a throwaway local ZooKeeper and drives a scripted demo:
//                                                           live changes, a rejected bad payload, a server restart
//   dotnet run --project samples/Quickstart -- --connect host:port   the same demo against your server (no restart)
//   dotnet run --project samples/Quickstart -- --connect host:port --watch   just follow /quickstart/greeting until Ctrl+C
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quickstart;
using ZkTypedState;
using ZkTypedState.Client;
using ZkTypedState.Testing;

string? connect = args.SkipWhile(a => a != "--connect").Skip(1).FirstOrDefault() ?? Environment.GetEnvironmentVariable("ZK_CONNECT");
var clock = Stopwatch.StartNew();
void Say(string line) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.000}s] {line}");

ZooKeeperTestServer? server = null;
if (string.IsNullOrEmpty(connect))
{
    Say("No --connect given: starting a local ZooKeeper server...");
    server = await ZooKeeperTestServer.StartAsync();
    connect = server.ConnectionString;
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddZkTypedState(o =>
{
    o.ConnectionString = connect;
    o.SessionTimeout = TimeSpan.FromSeconds(10);
}).AddGeneratedZNodes();

using IHost host = builder.Build();
await host.StartAsync();

var monitor = host.Services.GetRequiredService<IOptionsMonitor<Greeting>>();
var node = host.Services.GetRequiredService<IZNode<Greeting>>();
Say($"Loaded {node.Path}: \"{monitor.CurrentValue.Text}\" (status {node.Status})");

var changed = new SemaphoreSlim(0);
monitor.OnChange(greeting =>
{
    Say($"Live change: \"{greeting.Text}\" (volume {greeting.Volume}, mzxid 0x{node.Current.Mzxid:x})");
    changed.Release();
});
var resynced = new SemaphoreSlim(0);
node.Signaled += signal =>
{
    Say($"Status {signal.Current.Status}{(signal.Kind == ZNodeSignalKind.StatusChanged ? string.Empty : $" ({signal.Kind})")}{(signal.Current.Error is { } e ? ": " + e.Message : string.Empty)}");
    if (signal.Kind == ZNodeSignalKind.Resynced)
    {
        resynced.Release();
    }
};

if (args.Contains("--watch"))
{
    Say("Watching; change the node with any ZooKeeper client. Ctrl+C to stop.");
    await host.WaitForShutdownAsync();
    return 0;
}

// The scripted demo: another session writes, the app follows live.
await using (ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(connect))
{
    async Task WriteAsync(string json)
    {
        Say($"Another session writes {json}");
        await writer.SetDataAsync(node.Path, Encoding.UTF8.GetBytes(json));
    }

    await node.SetAsync(new Greeting { Text = "hello, world" });
    await changed.WaitAsync(TimeSpan.FromSeconds(30));
    await WriteAsync("""{"Text":"bonjour","Volume":3}""");
    await changed.WaitAsync(TimeSpan.FromSeconds(30));
    if (server is not null)
    {
        Say("Restarting the ZooKeeper server...");
        await server.RestartAsync();
        await resynced.WaitAsync(TimeSpan.FromSeconds(30));
        Say($"Survived the restart: \"{monitor.CurrentValue.Text}\" (status {node.Status}, same session: epoch {node.Current.SessionEpoch})");
    }
}

await using (ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(connect))
{
    Say("""Another session writes {"Text":"too loud","Volume":11}""");
    await writer.SetDataAsync(node.Path, Encoding.UTF8.GetBytes("""{"Text":"too loud","Volume":11}"""));
    await WaitForAsync(() => node.Status == ZNodeStatus.Faulted);
    Say($"The app keeps serving \"{monitor.CurrentValue.Text}\"");
}

await using (ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(connect))
{
    string json = server is null ? """{"Text":"still live","Volume":2}""" : """{"Text":"still live after the restart","Volume":2}""";
    Say($"Another session writes {json}");
    await writer.SetDataAsync(node.Path, Encoding.UTF8.GetBytes(json));
    await changed.WaitAsync(TimeSpan.FromSeconds(30));
}

await host.StopAsync();
if (server is not null)
{
    await server.DisposeAsync();
}

Say("Done.");
return 0;

async Task WaitForAsync(Func<bool> condition)
{
    var deadline = Stopwatch.StartNew();
    while (!condition() && deadline.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(20);
    }
}
