using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client.Connection;

/// <content>Encoding one queued call into the write batch: the size limit, xid assignment and FIFO registration.</content>
internal sealed partial class ZkConnection
{
    private void Encode(IConnectionOwner owner, JuteWriter writer, Call call)
    {
        if (call.IsCompleted)
        {
            // Cancelled (or failed) before it was written: never send it.
            return;
        }

        if (call is AuthCall { Target: var target } && !ReferenceEquals(target, this))
        {
            // Queued for a connection that is gone: this connection's priming already carried the credential.
            return;
        }

        int mark = writer.Length;

        // The limit makes an oversize request fail as soon as a write would pass it, before its bytes are copied.
        writer.Limit = (int)Math.Min(int.MaxValue, (long)mark + 4 + _maxRequestSize);
        try
        {
            EncodeFrame(owner, writer, call, mark);
        }
        catch (FrameTooLargeException)
        {
            writer.Truncate(mark);
            call.Fail(new ArgumentException(
                $"The {OpNames.Of(call.OpCode)} request for {call.Path} is larger than the server accepts ({_maxRequestSize} bytes, its jute.maxbuffer); it was not sent."));
        }
        finally
        {
            writer.Limit = int.MaxValue;
        }
    }

    private void EncodeFrame(IConnectionOwner owner, JuteWriter writer, Call call, int mark)
    {
        int frame = writer.BeginFrame();
        switch (call)
        {
            case PingCall:
                writer.WriteInt32(Xids.Ping);
                writer.WriteInt32((int)OpCode.Ping);
                writer.EndFrame(frame);
                return;
            case AuthCall auth:
                writer.WriteInt32(Xids.Auth);
                writer.WriteInt32((int)OpCode.Auth);
                auth.WriteBody(writer);
                writer.EndFrame(frame);
                lock (_gate)
                {
                    if (!_failed)
                    {
                        _authPending.Enqueue(auth);
                        return;
                    }
                }

                writer.Truncate(mark);
                return;
        }

        int xid = owner.NextXid();
        writer.WriteInt32(xid);
        writer.WriteInt32((int)call.OpCode);
        try
        {
            call.WriteBody(writer);
        }
        catch (Exception ex) when (ex is not FrameTooLargeException)
        {
            writer.Truncate(mark);
            call.Fail(ex);
            return;
        }

        writer.EndFrame(frame);
        call.Xid = xid;
        lock (_gate)
        {
            if (!_failed)
            {
                _pending.Enqueue(call);
                return;
            }
        }

        writer.Truncate(mark);
        call.Fail(owner.CreateLostRequestException(call, new ConnectionLossException(call.Path)));
    }
}
