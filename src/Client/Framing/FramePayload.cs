using System.Buffers;

namespace ZkTypedState.Client.Framing;

/// <summary>
/// Presents a frame's payload as one contiguous span: the pipe's own memory when the frame sits in one
/// segment (the common case), otherwise a pooled copy that is returned on dispose.
/// </summary>
internal readonly ref struct FramePayload
{
    private readonly byte[]? _rented;

    public FramePayload(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            _rented = null;
            Span = payload.FirstSpan;
        }
        else
        {
            _rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
            payload.CopyTo(_rented);
            Span = _rented.AsSpan(0, (int)payload.Length);
        }
    }

    public ReadOnlySpan<byte> Span { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
