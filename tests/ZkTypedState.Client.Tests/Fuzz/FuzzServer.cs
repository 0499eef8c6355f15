using System.Buffers.Binary;
using ZkTypedState.Client.Jute;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Fuzz;

/// <summary>
/// The hostile half of a fuzz case: answers every connection of one client with a seeded mix of valid frames and
/// mutations of them — random bytes, truncated and huge lengths, wrong xids, bit-flipped and cut bodies, unknown
/// error codes, notifications of undefined types or for unknown paths, silence, byte-by-byte dribbles, abrupt closes.
/// Server-side failures (a write to a socket the client closed) are expected and swallowed here.
/// </summary>
internal sealed class FuzzServer
{
    private readonly ScriptedZooKeeperServer _server;
    private readonly Random _random;
    private readonly List<Task> _handlers = [];

    public FuzzServer(ScriptedZooKeeperServer server, int seed)
    {
        _server = server;
        _random = new Random(seed);
    }

    private int _framesSent;

    /// <summary>Frames (and mangled frames) sent by the server, for the report.</summary>
    public int FramesSent => Volatile.Read(ref _framesSent);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ScriptedConnection connection = await _server.AcceptAsync(cancellationToken).ConfigureAwait(false);
                int seed;
                lock (_random)
                {
                    seed = _random.Next();
                }

                _handlers.Add(HandleAsync(connection, new Random(seed), cancellationToken));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }

        await Task.WhenAll(_handlers).ConfigureAwait(false);
    }

    private async Task HandleAsync(ScriptedConnection connection, Random random, CancellationToken cancellationToken)
    {
        try
        {
            await ServeAsync(connection, random, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client closing on us, the case ending: the server's own errors are not findings.
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(ScriptedConnection connection, Random random, CancellationToken cancellationToken)
    {
        ScriptedConnectRequest request = await connection.ReadConnectRequestAsync(cancellationToken).ConfigureAwait(false);
        int timeoutMs = random.Next(200, 1500);
        int handshake = random.Next(100);
        switch (handshake)
        {
            case < 4:
                return; // close without answering
            case < 8:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); // silent
                return;
            case < 12:
                await SendAsync(connection, RandomBytes(random, random.Next(1, 64)), cancellationToken).ConfigureAwait(false);
                return;
            case < 16:
                await SendAsync(connection, Mutate(random, ConnectResponse(timeoutMs, request)), cancellationToken).ConfigureAwait(false);
                break;
            case < 19:
                await SendAsync(connection, ConnectResponse(0, request), cancellationToken).ConfigureAwait(false); // expired
                return;
            case < 23:
                await connection.SendRawInChunksAsync(ConnectResponse(timeoutMs, request), 1, TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                break;
            default:
                await SendAsync(connection, ConnectResponse(timeoutMs, request), cancellationToken).ConfigureAwait(false);
                break;
        }

        bool silentForever = random.Next(100) < 5;
        while (await connection.ReadRequestAsync(cancellationToken).ConfigureAwait(false) is { } next)
        {
            if (silentForever)
            {
                continue;
            }

            if (!await AnswerAsync(connection, random, next, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Answers (or mangles the answer to) one request; false to close the connection.</summary>
    private async Task<bool> AnswerAsync(ScriptedConnection connection, Random random, ScriptedRequest request, CancellationToken cancellationToken)
    {
        byte[] valid = ValidReply(random, request);
        int roll = random.Next(100);
        byte[] frame = roll switch
        {
            < 45 => valid,
            < 50 => Reply(request.Xid + random.Next(1, 5), 0, []), // wrong xid
            < 55 => Reply(request.Xid, 1, [], err: random.Next(2) == 0 ? random.Next(-130, 0) : random.Next()), // any error code
            < 62 => Mutate(random, valid),
            < 66 => RandomBytes(random, random.Next(1, 200)),
            < 70 => Truncate(random, valid),
            < 73 => HugeLength(random),
            < 80 => Notification(random),
            < 84 => [], // no answer to this one
            < 88 => [.. Notification(random), .. valid],
            _ => valid,
        };

        if (frame.Length == 0)
        {
            return true;
        }

        if (roll is >= 88 and < 94 || random.Next(100) < 5)
        {
            await connection.SendRawInChunksAsync(frame, random.Next(1, 4), TimeSpan.FromMilliseconds(random.Next(0, 3)), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendAsync(connection, frame, cancellationToken).ConfigureAwait(false);
        }

        // A truncated frame only means something if the connection then ends.
        return roll is not (>= 66 and < 70) && random.Next(100) >= 3;
    }

    private async Task SendAsync(ScriptedConnection connection, byte[] bytes, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _framesSent);
        await connection.SendRawAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    private static byte[] ValidReply(Random random, ScriptedRequest request)
    {
        long zxid = random.Next(1, 1000);
        return request.Xid switch
        {
            -2 => Reply(-2, -1, []),
            -4 => Reply(-4, 0, [], err: random.Next(10) == 0 ? (int)ZooKeeperErrorCode.AuthFailed : 0),
            _ => Reply(request.Xid, zxid, Body(random, request)),
        };
    }

    private static byte[] Body(Random random, ScriptedRequest request)
    {
        using var writer = new JuteWriter(128);
        switch (request.OpCode)
        {
            case 3 or 5: // exists, setData
                WriteStat(writer, random);
                break;
            case 4: // getData
                writer.WriteBuffer(RandomBytes(random, random.Next(0, 32)));
                WriteStat(writer, random);
                break;
            case 8 or 12: // getChildren(2)
                writer.WriteStringVector(["a", "b" + random.Next(10)]);
                if (request.OpCode == 12)
                {
                    WriteStat(writer, random);
                }

                break;
            case 1 or 15 or 19 or 21: // create, create2, container, ttl
                writer.WriteString(request.ReadPath() ?? "/x");
                if (request.OpCode != 1)
                {
                    WriteStat(writer, random);
                }

                break;
            case 9: // sync
                writer.WriteString(request.ReadPath() ?? "/");
                break;
            case 14 or 22: // multi, multiRead: an empty result list
                writer.WriteInt32(-1);
                writer.WriteBool(true);
                writer.WriteInt32(-1);
                break;
            case 106: // addWatch
                writer.WriteInt32(0);
                break;
        }

        return writer.WrittenSpan.ToArray();
    }

    private static void WriteStat(JuteWriter writer, Random random)
    {
        var stat = new Stat(random.NextInt64(), random.NextInt64(), random.NextInt64(), random.NextInt64(), random.Next(), random.Next(), random.Next(), random.NextInt64(), random.Next(), random.Next(), random.NextInt64());
        stat.Write(writer);
    }

    private static byte[] Reply(int xid, long zxid, byte[] body, int err = 0)
    {
        byte[] frame = new byte[4 + 16 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 16 + body.Length);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), xid);
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(8), zxid);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(16), err);
        body.CopyTo(frame, 20);
        return frame;
    }

    private static byte[] ConnectResponse(int timeoutMs, ScriptedConnectRequest request)
    {
        using var writer = new JuteWriter(64);
        int start = writer.BeginFrame();
        writer.WriteInt32(0);
        writer.WriteInt32(timeoutMs);
        writer.WriteInt64(timeoutMs == 0 ? 0 : request.SessionId == 0 ? 0x1234 : request.SessionId);
        writer.WriteBuffer(new byte[16]);
        writer.WriteBool(false);
        writer.EndFrame(start);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Notification(Random random)
    {
        string[] paths = ["/w0", "/w1", "/unknown/" + random.Next(), "", "/\u00e9", new string('/', random.Next(1, 4)) + "x"];
        using var writer = new JuteWriter(64);
        int start = writer.BeginFrame();
        writer.WriteInt32(-1);
        writer.WriteInt64(random.Next(2) == 0 ? -1 : random.Next());
        writer.WriteInt32(0);
        writer.WriteInt32(random.Next(4) == 0 ? random.Next(-3, 100) : random.Next(1, 5));
        writer.WriteInt32(random.Next(-1, 4));
        if (random.Next(10) == 0)
        {
            writer.WriteString(null);
        }
        else
        {
            writer.WriteString(paths[random.Next(paths.Length)]);
        }

        writer.EndFrame(start);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        byte[] copy = [.. frame];
        int flips = random.Next(1, 6);
        for (int i = 0; i < flips; i++)
        {
            // Mostly the body; sometimes the length prefix itself.
            int at = random.Next(10) == 0 ? random.Next(0, Math.Min(4, copy.Length)) : random.Next(copy.Length);
            copy[at] ^= (byte)(1 << random.Next(8));
        }

        return random.Next(4) == 0 && copy.Length > 5 ? copy[..random.Next(4, copy.Length)] : copy;
    }

    private static byte[] Truncate(Random random, byte[] frame) => frame[..random.Next(0, frame.Length)];

    private static byte[] HugeLength(Random random)
    {
        byte[] prefix = new byte[4 + random.Next(0, 32)];
        int length = random.Next(4) switch
        {
            0 => int.MaxValue,
            1 => -random.Next(1, int.MaxValue),
            2 => 0,
            _ => random.Next(4 * 1024 * 1024, int.MaxValue),
        };
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        random.NextBytes(prefix.AsSpan(4));
        return prefix;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
