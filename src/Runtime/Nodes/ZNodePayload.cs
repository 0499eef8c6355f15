using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>Turns a node's bytes into a validated value and back: the payload rules of one bound node, no I/O.</summary>
internal sealed class ZNodePayload<T>(ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators, int maxPayloadBytes)
{
    private readonly IZNodeCodec<T> _codec = descriptor.Codec;

    // "Int32", or "PaymentsConfig (JSON)": the type, and the format when it is not named after the type. Only error messages
    // use it, so it is built when one is (not once per bound node: a family of 50,000 members would hold 50,000 copies).
    private string Label => _codec.FormatName == typeof(T).Name ? typeof(T).Name : $"{typeof(T).Name} ({_codec.FormatName})";

    /// <summary>
    /// True when a parse may run user code (options validators, or a codec from outside this library), so it must not
    /// run on the receive loop. The built-in codecs, generated JSON included, are quick and never block.
    /// </summary>
    public bool HasUserValidators => validators.Count > 0 || descriptor.Codec.GetType().Assembly != typeof(ZNodePayload<T>).Assembly;

    /// <summary>A new instance of the value served while the node does not exist.</summary>
    public T CreateDefault() => descriptor.CreateDefault();

    /// <summary>Parses and validates a payload read at <paramref name="stat"/>.</summary>
    public ParseResult<T> Parse(byte[] bytes, Stat stat)
    {
        T fallback = descriptor.CreateDefault();
        if (bytes.Length > maxPayloadBytes)
        {
            return Reject(fallback, stat, ZNodePayloadError.TooLarge, $"The payload of {path} is {bytes.Length} bytes, above the {maxPayloadBytes}-byte limit (ZkTypedStateOptions.MaxPayloadBytes).");
        }

        T? parsed;
        try
        {
            parsed = _codec.Decode(bytes);
        }
        catch (ZNodeCodecException ex)
        {
            string message = ex.Error == ZNodePayloadError.Empty
                ? $"The node {path} has no data, which is not a valid {Label}: {ex.Message}."
                : $"The payload of {path} is not a valid {Label}: {ex.Message}";
            return new ParseResult<T>(fallback, new ZNodePayloadException(path, stat.Mzxid, ex.Error, message, inner: ex));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A codec's own parser exception (e.g. a protobuf parse error) is a bad payload too, not a failed read.
            return new ParseResult<T>(fallback, new ZNodePayloadException(path, stat.Mzxid, ZNodePayloadError.Malformed, $"The payload of {path} is not a valid {Label}: {ex.GetType().Name}: {ex.Message}", inner: ex));
        }

        if (parsed is null)
        {
            return Reject(fallback, stat, ZNodePayloadError.Malformed, $"The payload of {path} decoded to null ({_codec.FormatName}), not a {typeof(T).Name}.");
        }

        IReadOnlyList<string> failures = Validate(parsed);
        if (failures.Count > 0)
        {
            return new ParseResult<T>(fallback, new ZNodePayloadException(path, stat.Mzxid, ZNodePayloadError.ValidationFailed, $"The payload of {path} failed validation: {string.Join("; ", failures)}", failures));
        }

        return new ParseResult<T>(parsed, null);
    }

    /// <summary>Validates and encodes a value to write.</summary>
    /// <exception cref="ZNodeValidationException">The value fails validation.</exception>
    public byte[] Serialize(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IReadOnlyList<string> failures = Validate(value);
        if (failures.Count > 0)
        {
            throw new ZNodeValidationException(path, failures);
        }

        return _codec.Encode(value) ?? throw new InvalidOperationException($"The codec {_codec.GetType().Name} of {path} returned null from Encode.");
    }

    private IReadOnlyList<string> Validate(T value)
    {
        List<string>? failures = null;
        if (descriptor.Validate?.Invoke(value) is { Count: > 0 } own)
        {
            (failures ??= []).AddRange(own);
        }

        foreach (Func<string, T, IReadOnlyList<string>> validator in validators)
        {
            if (validator(optionsName, value) is { Count: > 0 } more)
            {
                (failures ??= []).AddRange(more);
            }
        }

        return failures ?? (IReadOnlyList<string>)[];
    }

    private ParseResult<T> Reject(T fallback, Stat stat, ZNodePayloadError error, string message) =>
        new(fallback, new ZNodePayloadException(path, stat.Mzxid, error, message));
}
