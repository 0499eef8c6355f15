// The client demo: connects to ZooKeeper (or starts a throwaway local server when none is given), writes a node,
// watches it, changes it from a second session and reads it back.
//   dotnet run --project samples/ClientDemo [-- --connect host:port]
using System.Text;
using ZkTypedState.Client;
using ZkTypedState.Testing;

string? connect = args.SkipWhile(a => a != "--connect").Skip(1).FirstOrDefault()
    ?? Environment.GetEnvironmentVariable("ZK_CONNECT");

ZooKeeperTestServer? localServer = null;
if (string.IsNullOrEmpty(connect))
{
    Console.WriteLine("No --connect given: starting a local ZooKeeper server...");
    localServer = await ZooKeeperTestServer.StartAsync();
    connect = localServer.ConnectionString;
}

try
{
    await using ZooKeeperClient client = await ZooKeeperClient.ConnectAsync(connect, TimeSpan.FromSeconds(10));
    Console.WriteLine($"Connected to {client.ConnectedServer}: session 0x{client.SessionId:x}, timeout {client.NegotiatedSessionTimeout.TotalMilliseconds} ms");
    client.StateChanged += change => Console.WriteLine($"  state: {change.Previous} -> {change.Current}");

    string path = $"/zktypedstate-demo/greeting-{Environment.ProcessId}";
    try
    {
        await client.CreateAsync("/zktypedstate-demo");
    }
    catch (NodeExistsException)
    {
    }

    CreatedNode created = await client.CreateAsync(path, Encoding.UTF8.GetBytes("hello"), CreateMode.Ephemeral);
    Console.WriteLine($"Created {created.Path} (czxid 0x{created.Stat.Czxid:x})");

    var changed = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
    NodeData first = await client.GetDataAsync(path, e => changed.TrySetResult(e));
    Console.WriteLine($"Read \"{Encoding.UTF8.GetString(first.Data)}\" at version {first.Stat.Version}, watching for changes");

    await using (ZooKeeperClient writer = await ZooKeeperClient.ConnectAsync(connect))
    {
        await writer.SetDataAsync(path, Encoding.UTF8.GetBytes("hello, world"), version: first.Stat.Version);
        Console.WriteLine("A second session changed the node");
    }

    WatchedEvent fired = await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"Watch fired: {fired.Type} {fired.Path}");

    NodeData second = await client.GetDataAsync(path);
    Console.WriteLine($"Read back \"{Encoding.UTF8.GetString(second.Data)}\" at version {second.Stat.Version} (mzxid 0x{second.Stat.Mzxid:x})");
    Console.WriteLine("Closing the session: the ephemeral node goes with it.");
}
finally
{
    if (localServer is not null)
    {
        await localServer.DisposeAsync();
    }
}
