namespace ZkTypedState;

/// <summary>Why a node's payload was rejected.</summary>
public enum ZNodePayloadError
{
    /// <summary>The node has no data, and the payload format has no empty value (JSON, scalars; not text or bytes).</summary>
    Empty,

    /// <summary>The payload is larger than <see cref="ZkTypedStateOptions.MaxPayloadBytes"/>.</summary>
    TooLarge,

    /// <summary>The payload is not valid in the node's format (JSON, a scalar, the codec's), or not valid UTF-8 where text is expected, or does not fit the type.</summary>
    Malformed,

    /// <summary>The payload parsed but failed validation (DataAnnotations or <c>IValidateOptions&lt;T&gt;</c>).</summary>
    ValidationFailed,
}

/// <summary>
/// A node's payload could not be applied. The last good value stays in place (status <see cref="ZNodeStatus.Faulted"/>)
/// and this exception says why; the next good payload clears it.
/// </summary>
public sealed class ZNodePayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZNodePayloadException(string path, long mzxid, ZNodePayloadError error, string message, IReadOnlyList<string>? validationErrors = null, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Mzxid = mzxid;
        Error = error;
        ValidationErrors = validationErrors ?? [];
    }

    /// <summary>The node's path.</summary>
    public string Path { get; }

    /// <summary>The zxid of the rejected payload.</summary>
    public long Mzxid { get; }

    /// <summary>What was wrong.</summary>
    public ZNodePayloadError Error { get; }

    /// <summary>For <see cref="ZNodePayloadError.ValidationFailed"/>: every failure message.</summary>
    public IReadOnlyList<string> ValidationErrors { get; }
}

/// <summary>A value given to <c>SetAsync</c> or produced by <c>UpdateAsync</c> failed validation; nothing was written.</summary>
public sealed class ZNodeValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZNodeValidationException(string path, IReadOnlyList<string> errors)
        : base($"The value for {path} is invalid: {string.Join("; ", errors)}")
    {
        Path = path;
        Errors = errors;
    }

    /// <summary>The node's path.</summary>
    public string Path { get; }

    /// <summary>The validation failures.</summary>
    public IReadOnlyList<string> Errors { get; }
}
