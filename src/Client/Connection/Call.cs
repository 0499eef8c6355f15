using System.Diagnostics;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client.Connection;

/// <summary>Reads a response record from a reply body.</summary>
internal delegate T ResponseReader<T>(ref JuteReader reader);

/// <summary>Reads a response record from a reply body, given the reply header's zxid.</summary>
internal delegate T ObservedResponseReader<T>(ref JuteReader reader, long zxid);

/// <summary>
/// One request on its way through the client: queued, written (xid assigned at write time, so wire order is
/// xid order), then matched to its reply through the connection's FIFO. Completion never runs user code inline:
/// task continuations run asynchronously so the receive loop is never borrowed.
/// </summary>
internal abstract class Call
{
    protected Call(OpCode opCode, string? path)
    {
        OpCode = opCode;
        Path = path;
        StartTimestamp = Stopwatch.GetTimestamp();
    }

    public OpCode OpCode { get; }

    /// <summary>The client-side path, for error messages.</summary>
    public string? Path { get; }

    public int Xid { get; set; }

    public long StartTimestamp { get; }

    /// <summary>Watch to register in the local tables when the reply says the server registered it.</summary>
    public WatchRegistration? Watch { get; init; }

    /// <summary>The request's tracing span while it is sampled and not yet stopped (see <c>ClientTracing</c>).</summary>
    internal Activity? Span;

    /// <summary>The error the reply completed the call with: Ok for an answer (NoNode included where it is one), a multi's first failing code.</summary>
    public ZooKeeperErrorCode ReplyError { get; protected set; }

    /// <summary>True once the caller no longer waits (cancelled or failed): the writer skips such calls.</summary>
    public abstract bool IsCompleted { get; }

    public abstract void WriteBody(JuteWriter writer);

    /// <summary>Completes the call from its reply. Runs on the receive loop: must be quick and must not throw for server errors.</summary>
    public abstract void OnReply(in ReplyHeader header, ReadOnlySpan<byte> body, WatchManager watches);

    public abstract void Fail(Exception exception);

    /// <summary>
    /// Registers the call's watch locally — in its own table, or in <paramref name="kind"/> — once the reply says the server
    /// armed it, unless the caller stopped waiting (cancelled, timed out): nobody expects its event.
    /// </summary>
    protected void ArmWatch(WatchManager watches, WatchKind? kind = null)
    {
        if (Watch is { } watch && !IsCompleted)
        {
            watches.Add(kind ?? watch.Kind, watch.Path, watch.Watcher);
        }
    }
}

/// <summary>A call whose reply decodes to <typeparamref name="T"/>.</summary>
internal sealed class Call<T> : Call
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<JuteWriter>? _writeBody;
    private readonly ResponseReader<T>? _readResponse;
    private readonly T? _noNodeResult;
    private readonly bool _noNodeIsResult;
    private readonly ObservedResponseReader<T>? _readObserved;
    private readonly Func<long, T>? _noNodeObserved;

    public Call(OpCode opCode, string? path, Action<JuteWriter>? writeBody, ResponseReader<T>? readResponse)
        : base(opCode, path)
    {
        _writeBody = writeBody;
        _readResponse = readResponse;
    }

    /// <summary>Creates a call for which NoNode is an answer, not an error (exists).</summary>
    public Call(OpCode opCode, string? path, Action<JuteWriter>? writeBody, ResponseReader<T>? readResponse, T noNodeResult)
        : this(opCode, path, writeBody, readResponse)
    {
        _noNodeResult = noNodeResult;
        _noNodeIsResult = true;
    }

    /// <summary>Creates a call whose result carries the reply's zxid; NoNode is an answer built by <paramref name="noNode"/> when given.</summary>
    public Call(OpCode opCode, string? path, Action<JuteWriter>? writeBody, ObservedResponseReader<T> readResponse, Func<long, T>? noNode)
        : base(opCode, path)
    {
        _writeBody = writeBody;
        _readObserved = readResponse;
        _noNodeObserved = noNode;
        _noNodeIsResult = noNode is not null;
    }

    public Task<T> Task => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>Maps the decoded body to the final result (used by multi to turn per-op failures into exceptions).</summary>
    public Func<T, Exception?>? Inspect { get; init; }

    public override void WriteBody(JuteWriter writer) => _writeBody?.Invoke(writer);

    public override void OnReply(in ReplyHeader header, ReadOnlySpan<byte> body, WatchManager watches)
    {
        var code = (ZooKeeperErrorCode)header.Err;
        if (code == ZooKeeperErrorCode.Ok)
        {
            T value = default!;
            if (_readResponse is not null)
            {
                var reader = new JuteReader(body);
                value = _readResponse(ref reader);
            }
            else if (_readObserved is not null)
            {
                var reader = new JuteReader(body);
                value = _readObserved(ref reader, header.Zxid);
            }

            ArmWatch(watches);

            if (Inspect?.Invoke(value) is { } failure)
            {
                ReplyError = (failure as KeeperException)?.Code ?? ZooKeeperErrorCode.SystemError;
                _completion.TrySetException(failure);
                return;
            }

            _completion.TrySetResult(value);
            return;
        }

        if (code == ZooKeeperErrorCode.NoNode && _noNodeIsResult)
        {
            // exists() on a missing node still arms a watch, in the server's "exist" table.
            ArmWatch(watches, WatchKind.Exist);

            _completion.TrySetResult(_noNodeObserved is not null ? _noNodeObserved(header.Zxid) : _noNodeResult!);
            return;
        }

        ReplyError = code;
        _completion.TrySetException(KeeperException.Create(code, Path));
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <summary>Ties the caller's token to the call: a call cancelled before it is written is never sent.</summary>
    public CancellationTokenRegistration RegisterCancellation(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((Call<T>)state!)._completion.TrySetCanceled(token), this)
            : default;
}

/// <summary>A ping (xid −2). Never enters the FIFO; its reply only proves the server is alive.</summary>
internal sealed class PingCall : Call
{
    public static readonly PingCall Instance = new();

    private PingCall()
        : base(OpCode.Ping, null)
    {
    }

    public override bool IsCompleted => false;

    public override void WriteBody(JuteWriter writer)
    {
    }

    public override void OnReply(in ReplyHeader header, ReadOnlySpan<byte> body, WatchManager watches)
    {
    }

    public override void Fail(Exception exception)
    {
    }
}

/// <summary>
/// One credential's auth packet (xid −4) for one connection. Its reply can overtake replies of earlier requests, so it
/// is matched apart from the FIFO. Nobody awaits it: the outcome goes to the <see cref="Credential"/>, and a packet lost
/// with its connection is simply sent again by the next one.
/// </summary>
internal sealed class AuthCall : Call
{
    public AuthCall(Credential credential, object target)
        : base(OpCode.Auth, null)
    {
        Credential = credential;
        Target = target;
    }

    public Credential Credential { get; }

    public string Scheme => Credential.Scheme;

    /// <summary>The connection this packet is for; another connection skips it (its own priming carries the credential).</summary>
    public object Target { get; }

    public override bool IsCompleted => Credential.Accepted.IsFaulted;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteInt32(0);
        writer.WriteString(Scheme);
        writer.WriteBuffer(Credential.Auth);
    }

    public override void OnReply(in ReplyHeader header, ReadOnlySpan<byte> body, WatchManager watches)
    {
        var code = (ZooKeeperErrorCode)header.Err;
        if (code == ZooKeeperErrorCode.Ok)
        {
            Credential.OnAccepted();
            return;
        }

        string message = $"ZooKeeper: the server rejected the credentials for scheme '{Scheme}' ({code}).";
        Credential.OnFailed(code == ZooKeeperErrorCode.AuthFailed ? new AuthFailedException(null, message) : KeeperException.Create(code, null, message));
    }

    public override void Fail(Exception exception)
    {
        // Lost with the connection: the next connection's priming sends the credential again.
    }
}
