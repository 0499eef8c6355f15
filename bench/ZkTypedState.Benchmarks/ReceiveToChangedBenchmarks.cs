using System.Text;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkTypedState.Client;
using ZkTypedState.Testing;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// The propagation path inside the process, without a real server: a scripted server sends a NodeDataChanged
/// notification for a bound node, answers the runtime's getData with the next value, and the benchmark waits for the
/// node's <see cref="IZNode{T}.Changed"/>. One operation = notification read → re-read queued and written → reply read
/// → state machine step → Changed on the notification executor, so every thread hop on that path shows in the mean.
/// The scripted server's own work (one async read and write per frame) is the same in every build.
/// </summary>
public class ReceiveToChangedBenchmarks
{
    private const string Path = "/bm/tick";
    private const int GetData = 4;
    private const int Exists = 3;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly byte[][] _payloads = [Tick.Json(0), Tick.Json(1)];
    private ScriptedZooKeeperServer _server = null!;
    private ScriptedConnection _connection = null!;
    private IHost _host = null!;
    private IZNode<Tick> _node = null!;
    private Task _serve = null!;
    private long _zxid = 0x100;
    private int _seq;
    private TaskCompletionSource? _changed;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = ScriptedZooKeeperServer.Start();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZkTypedState(o =>
        {
            o.ConnectionString = _server.ConnectionString;
            o.SessionTimeout = TimeSpan.FromSeconds(30);
        }).AddZNode(Tick.ZNode);
        _host = builder.Build();
        Task started = _host.StartAsync();
        _connection = await _server.AcceptAsync();
        await _connection.ReadConnectRequestAsync();
        await _connection.SendConnectResponseAsync(timeoutMs: 30_000, sessionId: 0x42);
        _serve = Task.Run(ServeAsync);
        await started;
        _node = _host.Services.GetRequiredService<IZNode<Tick>>();
        await _node.WaitForLoadedAsync();
        _node.Changed += _ => Volatile.Read(ref _changed)?.TrySetResult();
        if (_node.Status != ZNodeStatus.Fresh)
        {
            throw new InvalidOperationException($"the node did not load: {_node.Status}");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _server.DisposeAsync();
        await _serve;
    }

    [Benchmark(Description = "notification → re-read → Changed (scripted server)")]
    public async Task NotificationToChanged()
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _changed, changed);
        Interlocked.Increment(ref _zxid);
        Interlocked.Increment(ref _seq);
        await SendAsync(c => c.SendNotificationAsync(WatchEventType.NodeDataChanged, Path));
        await changed.Task;
    }

    /// <summary>The server side: answers getData/exists with the current value, pings and anything else with an empty Ok.</summary>
    private async Task ServeAsync()
    {
        try
        {
            while (await _connection.ReadRequestAsync() is { } request)
            {
                long zxid = Interlocked.Read(ref _zxid);
                var stat = new Stat(2, zxid, 0, 0, (int)zxid, 0, 0, 0, 20, 0, 2);
                if (request.OpCode == GetData)
                {
                    byte[] data = _payloads[Volatile.Read(ref _seq) & 1];
                    await SendAsync(c => c.SendGetDataReplyAsync(request.Xid, zxid, data, stat with { DataLength = data.Length }));
                }
                else if (request.OpCode == Exists)
                {
                    await SendAsync(c => c.SendReplyAsync(request.Xid, zxid, 0, StatBytes(stat)));
                }
                else
                {
                    await SendAsync(c => c.SendReplyAsync(request.Xid, request.Xid < 0 ? 0 : zxid, 0));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The benchmark is over.
        }
    }

    private async Task SendAsync(Func<ScriptedConnection, Task> send)
    {
        // Replies (server loop) and notifications (benchmark) share the socket: one frame at a time.
        await _send.WaitAsync();
        try
        {
            await send(_connection);
        }
        finally
        {
            _send.Release();
        }
    }

    private static byte[] StatBytes(Stat stat)
    {
        var bytes = new byte[68];
        Span<byte> s = bytes;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s, stat.Czxid);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[8..], stat.Mzxid);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[32..], stat.Version);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[52..], stat.DataLength);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[60..], stat.Pzxid);
        return bytes;
    }
}

/// <summary>A propagation-sized node: a sequence number padded to about 100 bytes.</summary>
public sealed record Tick(int Seq, string Pad)
{
    public static readonly ZNodeDescriptor<Tick> ZNode = new("/bm/tick", TickJsonContext.Default.Tick, static () => new Tick(0, ""));

    public static byte[] Json(int seq) => Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"pad\":\"{new string('x', 80)}\"}}");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Tick))]
public sealed partial class TickJsonContext : JsonSerializerContext;
