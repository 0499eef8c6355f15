namespace ZkTypedState.Testing;

/// <summary>
/// Parses one connection's client → server ZooKeeper byte stream incrementally (frames may be split across reads
/// or several may arrive in one) and reports each complete frame: the first is the ConnectRequest, every later one
/// starts with a RequestHeader <c>{int xid; int type}</c>. Nothing is buffered beyond a few header bytes. A length
/// below zero or above <see cref="MaxFrameLength"/> (for example a four-letter word) stops the counting for good.
/// </summary>
internal sealed class RequestFrameCounter
{
    /// <summary>The largest frame length that is still counted (ZooKeeper's default <c>jute.maxbuffer</c> is below it).</summary>
    public const int MaxFrameLength = 16 * 1024 * 1024;

    private const int OpcodeOffset = 4;
    private const int OpcodeEnd = 8;

    private readonly Action onConnectRequest;
    private readonly Action<int> onRequest;
    private bool readingLength = true;
    private int lengthBytes;
    private int length;
    private int bodyRead;
    private int opcode;
    private bool seenConnectRequest;

    /// <summary>Creates a counter.</summary>
    /// <param name="onConnectRequest">Called when the first frame (the ConnectRequest) is complete.</param>
    /// <param name="onRequest">Called with the opcode when a later frame is complete.</param>
    public RequestFrameCounter(Action onConnectRequest, Action<int> onRequest)
    {
        this.onConnectRequest = onConnectRequest;
        this.onRequest = onRequest;
    }

    /// <summary>Whether counting stopped because the stream is not ZooKeeper framing.</summary>
    public bool GaveUp { get; private set; }

    /// <summary>Consumes the next bytes of the stream.</summary>
    /// <param name="data">Bytes, in stream order.</param>
    public void Observe(ReadOnlySpan<byte> data)
    {
        var index = 0;
        while (index < data.Length && !GaveUp)
        {
            if (readingLength)
            {
                length = (length << 8) | data[index++];
                if (++lengthBytes < 4)
                {
                    continue;
                }

                if (length is < 0 or > MaxFrameLength)
                {
                    GaveUp = true;
                    return;
                }

                readingLength = false;
                bodyRead = 0;
                opcode = 0;
                if (length == 0)
                {
                    CompleteFrame();
                }

                continue;
            }

            var take = Math.Min(data.Length - index, length - bodyRead);
            if (seenConnectRequest)
            {
                var from = Math.Max(bodyRead, OpcodeOffset);
                var to = Math.Min(bodyRead + take, OpcodeEnd);
                for (var position = from; position < to; position++)
                {
                    opcode = (opcode << 8) | data[index + (position - bodyRead)];
                }
            }

            bodyRead += take;
            index += take;
            if (bodyRead == length)
            {
                CompleteFrame();
            }
        }
    }

    private void CompleteFrame()
    {
        if (!seenConnectRequest)
        {
            seenConnectRequest = true;
            onConnectRequest();
        }
        else if (length >= OpcodeEnd)
        {
            onRequest(opcode);
        }

        readingLength = true;
        lengthBytes = 0;
        length = 0;
    }
}
