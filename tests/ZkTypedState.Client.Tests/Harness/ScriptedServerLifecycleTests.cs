using System.Net.Sockets;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>The scripted server's own lifecycle: it must stop cleanly however its accept loop is caught.</summary>
public sealed class ScriptedServerLifecycleTests
{
    [Fact]
    public async Task DisposeAsync_never_races_the_accept_loop()
    {
        for (int i = 0; i < 300; i++)
        {
            var server = ScriptedZooKeeperServer.Start();

            // Connections arriving as the server stops keep the accept loop between two accepts at the worst moment.
            var sockets = Enumerable.Range(0, 24).Select(_ => new Socket(SocketType.Stream, ProtocolType.Tcp)).ToList();
            var connects = sockets.Select(s => s.ConnectAsync("127.0.0.1", server.Port)).ToList();
            if (i % 2 == 0)
            {
                await Task.WhenAny(connects);
            }

            // From another thread, while the accept loop drains the backlog.
            await Task.Run(async () => await server.DisposeAsync());
            foreach ((Socket socket, Task connect) in sockets.Zip(connects))
            {
                try
                {
                    await connect;
                }
                catch (SocketException)
                {
                    // Refused because the listener already stopped: fine.
                }

                socket.Dispose();
            }
        }
    }
}
