namespace ZkTypedState;

/// <summary>
/// Thrown by an <see cref="IZNodeCodec{T}"/> for a payload that is not a valid value in its format. The runtime reports it
/// as a <see cref="ZNodePayloadException"/> (this exception as its inner exception) and keeps the last good value.
/// </summary>
public sealed class ZNodeCodecException : Exception
{
    /// <summary>Creates the exception for a malformed payload.</summary>
    /// <param name="message">What is wrong, e.g. <c>'abc' is not an integer such as 42 or -7</c> (the runtime adds the path and type).</param>
    /// <param name="inner">The parser's own exception, if any.</param>
    public ZNodeCodecException(string message, Exception? inner = null)
        : this(ZNodePayloadError.Malformed, message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="error"><see cref="ZNodePayloadError.Malformed"/>, or <see cref="ZNodePayloadError.Empty"/> for a format that has no empty value.</param>
    /// <param name="message">What is wrong (the runtime adds the path and type).</param>
    /// <param name="inner">The parser's own exception, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is neither Malformed nor Empty (size and validation are the runtime's).</exception>
    public ZNodeCodecException(ZNodePayloadError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        if (error is not (ZNodePayloadError.Malformed or ZNodePayloadError.Empty))
        {
            throw new ArgumentOutOfRangeException(nameof(error), error, "A codec reports Malformed or Empty; TooLarge and ValidationFailed are decided by the runtime.");
        }

        Error = error;
    }

    /// <summary><see cref="ZNodePayloadError.Malformed"/> or <see cref="ZNodePayloadError.Empty"/>.</summary>
    public ZNodePayloadError Error { get; }
}
