namespace ZkTypedState;

/// <summary>
/// Converts between a node's bytes and <typeparamref name="T"/>: the payload format of a bound node (JSON, UTF-8 text,
/// raw bytes, a scalar, protobuf…). Built-in codecs come from <see cref="ZNodeCodecs"/>; implement this interface for
/// any other format and pass it to <see cref="ZNodeDescriptor{T}(string, IZNodeCodec{T}, Func{T}, Func{T, IReadOnlyList{string}}?)"/>
/// or name it in <c>[ZNode(Codec = typeof(MyCodec))]</c>.
/// </summary>
/// <remarks>
/// <para>A codec is pure: no I/O, no state that changes between calls, safe to call from several threads at once.</para>
/// <para>Bad payloads: throw <see cref="ZNodeCodecException"/> (say what was expected and quote the offending data,
/// truncated). The runtime turns it into a <see cref="ZNodePayloadException"/> naming the node's path and type, serves
/// the last good value with status <see cref="ZNodeStatus.Faulted"/>, and applies the next good payload. Any other
/// exception thrown by <see cref="Decode"/> is treated the same way (as <see cref="ZNodePayloadError.Malformed"/>, the
/// exception as the inner exception), so a third-party parser's own exception type needs no wrapping.</para>
/// <para>Size: payloads above <see cref="ZkTypedStateOptions.MaxPayloadBytes"/> are rejected before the codec sees them.</para>
/// </remarks>
/// <typeparam name="T">The bound type.</typeparam>
public interface IZNodeCodec<T>
{
    /// <summary>A short name of the format for messages, e.g. <c>JSON</c>, <c>UTF-8 text</c>, <c>Int32</c>.</summary>
    string FormatName => GetType().Name;

    /// <summary>
    /// Decodes a payload. <paramref name="payload"/> is the node's data exactly as read (possibly empty): the runtime never
    /// changes it afterwards, so a value may keep referring to it (as <see cref="ZNodeCodecs.ReadOnlyMemory"/> does).
    /// </summary>
    /// <param name="payload">The node's data.</param>
    /// <returns>The value; null is treated as a bad payload.</returns>
    /// <exception cref="ZNodeCodecException">The payload is not a valid <typeparamref name="T"/> in this format.</exception>
    T Decode(ReadOnlyMemory<byte> payload);

    /// <summary>Encodes a value for writing. The returned array is the runtime's from then on: return a new one.</summary>
    /// <param name="value">A non-null value (validated before this is called).</param>
    /// <returns>The bytes to write.</returns>
    byte[] Encode(T value);
}
