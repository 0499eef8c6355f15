using System.Net.Sockets;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>The proxy as a plain TCP pipe, against an echo server: large streams keep every byte in order.</summary>
public sealed class FaultProxyStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Large_streams_arrive_complete_and_in_order(int delayMs)
    {
        await using var echo = new EchoServer();
        await using var proxy = await FaultProxy.StartAsync("127.0.0.1", echo.Port);
        proxy.Delay = TimeSpan.FromMilliseconds(delayMs);
        var payload = new byte[2 * 1024 * 1024];
        new Random(42).NextBytes(payload);

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync("127.0.0.1", proxy.Port, timeout.Token);

        var sending = SendAllThenFinishAsync(socket, payload, timeout.Token);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        await sending;
        Assert.Equal(payload.Length, received.Length);
        Assert.True(payload.AsSpan().SequenceEqual(received.ToArray()), "The echoed bytes differ.");
        Assert.Equal(0, proxy.ConnectRequests); // random bytes are not ZooKeeper framing
    }

    private static async Task SendAllThenFinishAsync(Socket socket, byte[] payload, CancellationToken cancellationToken)
    {
        // Uneven write sizes, so chunk boundaries vary.
        var random = new Random(7);
        var offset = 0;
        while (offset < payload.Length)
        {
            var size = Math.Min(payload.Length - offset, random.Next(1, 40_000));
            offset += await socket.SendAsync(payload.AsMemory(offset, size), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }
}
