using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ZkTypedState.Testing;

/// <summary>
/// One proxied connection: a client socket, the socket to the target, and a pump per direction. Each pump reads
/// into pooled buffers and hands chunks to a writer loop through a small bounded channel, so a
/// <see cref="FaultProxy.Delay"/> adds latency without reordering bytes or serialising reads behind the delay.
/// </summary>
internal sealed class FaultProxyConnection
{
    private const int BufferSize = 16 * 1024;
    private const int QueuedChunks = 32;

    private readonly FaultProxy proxy;
    private readonly Socket client;
    private readonly Socket server;
    private readonly CancellationTokenSource aborted;
    private int closed;

    public FaultProxyConnection(FaultProxy proxy, Socket client, Socket server, CancellationToken shutdown)
    {
        this.proxy = proxy;
        this.client = client;
        this.server = server;
        aborted = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
    }

    /// <summary>Pumps both directions until both have ended or the connection is aborted.</summary>
    public async Task RunAsync()
    {
        var token = aborted.Token;
        var counter = new RequestFrameCounter(proxy.CountConnectRequest, proxy.CountRequest);
        try
        {
            await Task.WhenAll(
                PumpAsync(client, server, counter, token),
                PumpAsync(server, client, counter: null, token)).ConfigureAwait(false);
        }
        finally
        {
            Abort();
            aborted.Dispose();
        }
    }

    /// <summary>Closes both sockets (FIN both ways) and stops the pumps. Idempotent.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref closed, 1) != 0)
        {
            return;
        }

        try
        {
            aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }

        CloseQuietly(client);
        CloseQuietly(server);
    }

    /// <summary>Shuts a socket down both ways and closes it, ignoring errors.</summary>
    public static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Not connected any more.
        }

        socket.Dispose();
    }

    private static bool IsConnectionEnd(Exception exception) =>
        exception is SocketException or ObjectDisposedException or OperationCanceledException or IOException or ChannelClosedException;

    private async Task PumpAsync(Socket source, Socket destination, RequestFrameCounter? counter, CancellationToken token)
    {
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var writer = WriteLoopAsync(chunks.Reader, destination, counter, token);
        var endedCleanly = false;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                int read;
                try
                {
                    read = await source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    endedCleanly = true;
                    break;
                }

                if (proxy.Mode != FaultMode.Forward)
                {
                    // Blackhole: read and drop (Cut: the sockets are being closed anyway).
                    ArrayPool<byte>.Shared.Return(buffer);
                    continue;
                }

                var delay = proxy.Delay;
                var due = delay > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency) : 0;
                try
                {
                    await chunks.Writer.WriteAsync(new Chunk(buffer, read, due), token).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
            }
        }
        catch (Exception exception) when (IsConnectionEnd(exception))
        {
            // Reset, abort or shutdown: handled below.
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        var written = await writer.ConfigureAwait(false);
        try
        {
            // A partitioned network delivers no FIN or RST either: hold the end back while blackholed.
            await proxy.WaitWhileBlackholedAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            endedCleanly = false;
        }

        if (endedCleanly && written && proxy.Mode == FaultMode.Forward)
        {
            try
            {
                destination.Shutdown(SocketShutdown.Send);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                Abort();
            }
        }
        else
        {
            Abort();
        }
    }

    /// <returns>Whether every chunk was written (or deliberately dropped) without a connection failure.</returns>
    private async Task<bool> WriteLoopAsync(ChannelReader<Chunk> chunks, Socket destination, RequestFrameCounter? counter, CancellationToken token)
    {
        try
        {
            await foreach (var chunk in chunks.ReadAllAsync(token).ConfigureAwait(false))
            {
                try
                {
                    if (chunk.DueTimestamp != 0)
                    {
                        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), chunk.DueTimestamp);
                        if (wait > TimeSpan.Zero)
                        {
                            await Task.Delay(wait, token).ConfigureAwait(false);
                        }
                    }

                    if (proxy.Mode != FaultMode.Forward)
                    {
                        continue;
                    }

                    // Count before sending, so a reply can never overtake its request's count.
                    counter?.Observe(chunk.Buffer.AsSpan(0, chunk.Count));
                    var memory = chunk.Buffer.AsMemory(0, chunk.Count);
                    while (!memory.IsEmpty)
                    {
                        var sent = await destination.SendAsync(memory, SocketFlags.None, token).ConfigureAwait(false);
                        memory = memory[sent..];
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }
            }

            return true;
        }
        catch (Exception exception) when (IsConnectionEnd(exception))
        {
            Abort();
            while (chunks.TryRead(out var leftover))
            {
                ArrayPool<byte>.Shared.Return(leftover.Buffer);
            }

            return false;
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count, long DueTimestamp);
}
