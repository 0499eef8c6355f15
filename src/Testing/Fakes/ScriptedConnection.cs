using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using ZkTypedState.Client;
using ZkTypedState.Client.Framing;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Testing;

/// <summary>A request the fake server read from the client.</summary>
/// <param name="Xid">The request's xid.</param>
/// <param name="OpCode">The ZooKeeper opcode.</param>
/// <param name="Body">The request record's bytes (after the 8-byte header).</param>
public sealed record ScriptedRequest(int Xid, int OpCode, byte[] Body)
{
    /// <summary>For requests whose record starts with a path (most of them): that path.</summary>
    public string? ReadPath()
    {
        var reader = new JuteReader(Body);
        return reader.ReadString();
    }
}

/// <summary>What the client sent in its handshake.</summary>
/// <param name="LastZxidSeen">The client's lastZxidSeen.</param>
/// <param name="TimeoutMs">The requested session timeout.</param>
/// <param name="SessionId">0 for a new session, else the session being re-attached.</param>
/// <param name="Password">The session password offered.</param>
public sealed record ScriptedConnectRequest(long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password);

/// <summary>One client connection to a <see cref="ScriptedZooKeeperServer"/>; the script reads and answers frames.</summary>
public sealed class ScriptedConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    internal ScriptedConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>Reads the ConnectRequest.</summary>
    public async Task<ScriptedConnectRequest> ReadConnectRequestAsync(CancellationToken cancellationToken = default)
    {
        byte[] frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new EndOfStreamException("The client closed the connection before its handshake.");
        return Decode(frame);

        static ScriptedConnectRequest Decode(byte[] frame)
        {
            var reader = new JuteReader(frame);
            ConnectRequest request = ConnectRequest.Read(ref reader);
            return new ScriptedConnectRequest(request.LastZxidSeen, request.TimeoutMs, request.SessionId, request.Password);
        }
    }

    /// <summary>Answers the handshake. A <paramref name="timeoutMs"/> of 0 tells the client its session is invalid (expired).</summary>
    public Task SendConnectResponseAsync(int timeoutMs, long sessionId, byte[]? password = null, CancellationToken cancellationToken = default) =>
        SendFrameAsync(w => new ConnectResponse(0, timeoutMs, sessionId, password ?? new byte[16], false).Write(w), cancellationToken);

    /// <summary>Reads the next request, or null when the client closed the connection. Pings are returned like any request (xid −2, opcode 11).</summary>
    public async Task<ScriptedRequest?> ReadRequestAsync(CancellationToken cancellationToken = default)
    {
        byte[]? frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        return frame is null ? null : Decode(frame);

        static ScriptedRequest Decode(byte[] frame)
        {
            var reader = new JuteReader(frame);
            int xid = reader.ReadInt32();
            int op = reader.ReadInt32();
            return new ScriptedRequest(xid, op, frame[8..]);
        }
    }

    /// <summary>Reads requests, answering pings, until one that is not a ping arrives (null when the client closed).</summary>
    public async Task<ScriptedRequest?> ReadRequestAnsweringPingsAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ScriptedRequest? request = await ReadRequestAsync(cancellationToken).ConfigureAwait(false);
            if (request is null || request.Xid != Xids.Ping)
            {
                return request;
            }

            await SendReplyAsync(Xids.Ping, 0, 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a reply header (and optionally a body given as raw bytes).</summary>
    public Task SendReplyAsync(int xid, long zxid, int error, ReadOnlyMemory<byte> body = default, CancellationToken cancellationToken = default) =>
        SendFrameAsync(
            w =>
            {
                new ReplyHeader(xid, zxid, error).Write(w);
                w.WriteBytes(body.Span);
            },
            cancellationToken);

    /// <summary>Sends a well-formed getData reply.</summary>
    public Task SendGetDataReplyAsync(int xid, long zxid, byte[] data, Stat stat, CancellationToken cancellationToken = default) =>
        SendFrameAsync(
            w =>
            {
                new ReplyHeader(xid, zxid, 0).Write(w);
                w.WriteBuffer(data);
                stat.Write(w);
            },
            cancellationToken);

    /// <summary>Sends a watch notification.</summary>
    public Task SendNotificationAsync(WatchEventType type, string path, CancellationToken cancellationToken = default) =>
        SendFrameAsync(
            w =>
            {
                new ReplyHeader(Xids.Notification, -1, 0).Write(w);
                new WatcherEvent((int)type, 3, path).Write(w);
            },
            cancellationToken);

    /// <summary>Sends raw bytes exactly as given (no framing): for malformed input.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends raw bytes in pieces of <paramref name="chunkSize"/> with <paramref name="pause"/> between them (a byte-by-byte server).</summary>
    public async Task SendRawInChunksAsync(ReadOnlyMemory<byte> bytes, int chunkSize, TimeSpan pause, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        for (int offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            await _stream.WriteAsync(bytes.Slice(offset, Math.Min(chunkSize, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the client closes its side (returns true) or the token fires. Discards anything it sends meanwhile.</summary>
    public async Task<bool> WaitForClientCloseAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return true;
            }

            _reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return true;
            }
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Close() => _socket.Close();

    private async Task<byte[]?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, 16 * 1024 * 1024, out ReadOnlySequence<byte> payload))
            {
                byte[] frame = payload.ToArray();
                _reader.AdvanceTo(buffer.Start);
                return frame;
            }

            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                return null;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task SendFrameAsync(Action<JuteWriter> write, CancellationToken cancellationToken)
    {
        using var writer = new JuteWriter(256);
        int start = writer.BeginFrame();
        write(writer);
        writer.EndFrame(start);
        await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
