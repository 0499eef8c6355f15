using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using ZkTypedState.Client.Framing;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Connection;

/// <content>Opening a connection: TCP connect, the optional TLS handshake, and the ZooKeeper handshake (ConnectRequest → ConnectResponse).</content>
internal sealed partial class ZkConnection
{
    /// <summary>The server's answer to the handshake.</summary>
    public ConnectResponse Handshake { get; private set; }

    /// <summary>
    /// Connects and performs the handshake. Only the ConnectRequest is written before the answer arrives: a server
    /// refusing the session answers and closes at once, and a client still writing could provoke a reset that
    /// destroys the unread answer.
    /// </summary>
    /// <exception cref="ServerRefusedConnectionException">The server closed the connection without answering.</exception>
    /// <exception cref="ZooKeeperTlsException">With <paramref name="tls"/>: the TLS handshake failed.</exception>
    public static async Task<ZkConnection> OpenAsync(HostEndpoint host, ConnectRequest request, TimeSpan timeout, int maxFrameSize, int maxRequestSize, ZooKeeperTlsOptions? tls, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ZkConnection? connection = null;
        try
        {
            await socket.ConnectAsync(host.Host, host.Port, timeoutSource.Token).ConfigureAwait(false);
            Stream stream = await TlsTransport.OpenStreamAsync(socket, host, tls, timeoutSource.Token).ConfigureAwait(false);
            connection = new ZkConnection(host, socket, stream, maxFrameSize, maxRequestSize);
            using (var writer = new JuteWriter(64))
            {
                int start = writer.BeginFrame();
                request.Write(writer);
                writer.EndFrame(start);
                await connection._stream.WriteAsync(writer.WrittenMemory, timeoutSource.Token).ConfigureAwait(false);
            }

            connection.Handshake = await connection.ReadHandshakeAsync(timeoutSource.Token).ConfigureAwait(false);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(connection, socket).ConfigureAwait(false);
            throw new TimeoutException($"No handshake answer from {host} within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (IOException ex) when (tls is not null && TlsTransport.IsTlsAlert(ex))
        {
            await DisposeQuietlyAsync(connection, socket).ConfigureAwait(false);
            throw TlsTransport.AlertAfterHandshake(host, tls, ex);
        }
        catch
        {
            await DisposeQuietlyAsync(connection, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeQuietlyAsync(ZkConnection? connection, Socket socket)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }

    private async Task<ConnectResponse> ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, _maxFrameSize, out ReadOnlySequence<byte> payload))
            {
                ConnectResponse response;
                using (var frame = new FramePayload(payload))
                {
                    var reader = new JuteReader(frame.Span);
                    response = ConnectResponse.Read(ref reader);
                }

                // Leave whatever follows the handshake in the pipe for the read loop.
                _reader.AdvanceTo(buffer.Start);
                _lastReceive = Stopwatch.GetTimestamp();
                return response;
            }

            if (result.IsCompleted)
            {
                throw new ServerRefusedConnectionException(
                    buffer.Length == 0
                        ? $"{Host} closed the connection without answering the handshake (the server may be starting, or it is behind this client's lastZxidSeen and refuses it)."
                        : $"{Host} closed the connection in the middle of the handshake answer ({buffer.Length} bytes).");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

/// <summary>A server closed the connection without answering the handshake; the client moves on to the next host.</summary>
internal sealed class ServerRefusedConnectionException(string message) : Exception(message);
