using System.Text.Json;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>Turns a node's bytes into a validated value and back: the payload rules of one bound node, no I/O.</summary>
internal sealed class ZNodePayload<T>(ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators, int maxPayloadBytes)
{
    /// <summary>True when options validators (user code) run on every parse, so a parse must not run on the receive loop.</summary>
    public bool HasUserValidators => validators.Count > 0;

    /// <summary>A new instance of the value served while the node does not exist.</summary>
    public T CreateDefault() => descriptor.CreateDefault();

    /// <summary>Parses and validates a payload read at <paramref name="stat"/>.</summary>
    public ParseResult<T> Parse(byte[] bytes, Stat stat)
    {
        T fallback = descriptor.CreateDefault();
        if (bytes.Length == 0)
        {
            return Reject(fallback, stat, ZNodePayloadError.Empty, $"The node {path} has no data (expected JSON for {typeof(T).Name}).");
        }

        if (bytes.Length > maxPayloadBytes)
        {
            return Reject(fallback, stat, ZNodePayloadError.TooLarge, $"The payload of {path} is {bytes.Length} bytes, above the {maxPayloadBytes}-byte limit (ZkTypedStateOptions.MaxPayloadBytes).");
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Reject(fallback, stat, ZNodePayloadError.Malformed, $"The payload of {path} is not valid UTF-8, so it cannot be JSON for {typeof(T).Name}.");
        }

        T? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(bytes, descriptor.JsonTypeInfo);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return new ParseResult<T>(fallback, new ZNodePayloadException(path, stat.Mzxid, ZNodePayloadError.Malformed, $"The payload of {path} is not valid JSON for {typeof(T).Name}: {ex.Message}", inner: ex));
        }

        if (parsed is null)
        {
            return Reject(fallback, stat, ZNodePayloadError.Malformed, $"The payload of {path} is JSON null, not a {typeof(T).Name}.");
        }

        IReadOnlyList<string> failures = Validate(parsed);
        if (failures.Count > 0)
        {
            return new ParseResult<T>(fallback, new ZNodePayloadException(path, stat.Mzxid, ZNodePayloadError.ValidationFailed, $"The payload of {path} failed validation: {string.Join("; ", failures)}", failures));
        }

        return new ParseResult<T>(parsed, null);
    }

    /// <summary>Validates and serializes a value to write.</summary>
    /// <exception cref="ZNodeValidationException">The value fails validation.</exception>
    public byte[] Serialize(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IReadOnlyList<string> failures = Validate(value);
        if (failures.Count > 0)
        {
            throw new ZNodeValidationException(path, failures);
        }

        return JsonSerializer.SerializeToUtf8Bytes(value, descriptor.JsonTypeInfo);
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
