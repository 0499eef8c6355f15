using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client.Connection;

/// <summary>
/// Receives the outcome of an <see cref="ObservedReadCall"/>: exactly one of the two methods, once. They run on the
/// thread that completes the call — the receive loop for a reply, the connection's teardown or a timer for a failure —
/// so an implementation must be quick, must not block and must not throw; it is internal (the runtime's reads), never
/// user code.
/// </summary>
internal interface IObservedReadCallback
{
    /// <summary>The server answered: the node (or its absence) and the zxid the answer observed.</summary>
    void OnObserved(ObservedNode node);

    /// <summary>The read failed: a server error (<see cref="KeeperException"/>), the connection was lost, or the client is finished.</summary>
    void OnFailed(Exception error);
}

/// <summary>
/// An observed getData or exists whose completion is a callback instead of a task: no TaskCompletionSource and no
/// thread-pool continuation between the reply and the reader, so the runtime's re-read of a changed node takes no
/// extra thread hop. Missing nodes are answers (like <c>GetDataObservedAsync</c>/<c>ExistsObservedAsync</c>).
/// </summary>
internal sealed class ObservedReadCall : Call
{
    private readonly string _serverPath;
    private readonly IObservedReadCallback _callback;
    private int _completed;

    public ObservedReadCall(OpCode opCode, string path, string serverPath, Action<WatchedEvent>? watcher, IObservedReadCallback callback)
        : base(opCode, path)
    {
        if (opCode is not (OpCode.GetData or OpCode.Exists))
        {
            throw new ArgumentOutOfRangeException(nameof(opCode), opCode, "An observed read is a getData or an exists.");
        }

        _serverPath = serverPath;
        _callback = callback;
        Watch = watcher is null ? null : new WatchRegistration(WatchKind.Data, path, watcher);
    }

    public override bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Fails the call with <see cref="OperationTimeoutException"/> after the client's operation timeout, when one is set.</summary>
    public OperationTimer? Timer { get; set; }

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(_serverPath);
        writer.WriteBool(Watch is not null);
    }

    public override void OnReply(in ReplyHeader header, ReadOnlySpan<byte> body, WatchManager watches)
    {
        var code = (ZooKeeperErrorCode)header.Err;
        ObservedNode node;
        if (code == ZooKeeperErrorCode.Ok)
        {
            var reader = new JuteReader(body);
            node = OpCode == OpCode.GetData
                ? new ObservedNode(reader.ReadBuffer() ?? [], Stat.Read(ref reader), header.Zxid)
                : new ObservedNode(null, Stat.Read(ref reader), header.Zxid);

            ArmWatch(watches);
        }
        else if (code == ZooKeeperErrorCode.NoNode)
        {
            // exists on a missing node arms a watch in the server's "exist" table; getData arms none.
            if (OpCode == OpCode.Exists)
            {
                ArmWatch(watches, WatchKind.Exist);
            }

            node = new ObservedNode(null, null, header.Zxid);
        }
        else
        {
            Fail(KeeperException.Create(code, Path));
            return;
        }

        if (TryComplete())
        {
            _callback.OnObserved(node);
        }
    }

    public override void Fail(Exception exception)
    {
        if (TryComplete())
        {
            _callback.OnFailed(exception);
        }
    }

    private bool TryComplete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        Timer?.Dispose();
        return true;
    }
}
