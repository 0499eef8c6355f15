using System.Text;
using System.Text.Json;

namespace ZkTypedState.Configuration;

/// <summary>One node as last read: its mzxid and the keys its payload maps to (kept at the last good payload on a decode error).</summary>
internal sealed class CachedNode
{
    public long Mzxid { get; init; }

    /// <summary>The node's text (empty for no data), or null if no payload of it ever decoded.</summary>
    public string? Text { get; init; }

    /// <summary>With JSON flattening on and a JSON object/array payload: keys relative to the node's key, in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Json { get; init; }

    /// <summary>Why the current payload was not mapped (the previous mapping is kept), or null.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// The nodes of one subtree as last read, keyed by path. Only the provider's background loop touches it, so it needs no
/// lock; it is bounded by <see cref="ZooKeeperConfigurationOptions.MaxNodes"/> over all subtrees.
/// </summary>
internal sealed class SubtreeCache(ZooKeeperConfigurationSubtree subtree, bool flattenJson, bool trimNewlines)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public string Root { get; } = subtree.Path.Length > 1 ? subtree.Path.TrimEnd('/') : subtree.Path;

    public string Prefix { get; } = subtree.KeyPrefix ?? string.Empty;

    public Dictionary<string, CachedNode> Nodes { get; private set; } = new(StringComparer.Ordinal);

    public bool RootExists => Nodes.ContainsKey(Root);

    /// <summary>True when <paramref name="path"/> is the root or below it.</summary>
    public bool Contains(string path) =>
        path == Root || path.StartsWith(Root == "/" ? "/" : Root + "/", StringComparison.Ordinal);

    public void Clear() => Nodes = new Dictionary<string, CachedNode>(StringComparer.Ordinal);

    public void Replace(Dictionary<string, CachedNode> nodes) => Nodes = nodes;

    /// <summary>Forgets every mzxid (after a zxid lineage reset they are not comparable), so the next walk re-reads every payload.</summary>
    public void ForgetZxids()
    {
        foreach (string path in Nodes.Keys.ToList())
        {
            CachedNode node = Nodes[path];
            Nodes[path] = new CachedNode { Mzxid = -1, Text = node.Text, Json = node.Json, Error = node.Error };
        }
    }

    /// <summary>Maps a payload, keeping the previous mapping when it cannot be decoded.</summary>
    public CachedNode Decode(byte[] data, long mzxid, CachedNode? previous)
    {
        ReadOnlySpan<byte> bytes = data;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..]; // A UTF-8 byte order mark is never content.
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            return Keep(previous, mzxid, $"The payload is not valid UTF-8 ({ex.Message}).");
        }

        if (trimNewlines)
        {
            text = text.TrimEnd('\r', '\n');
        }

        if (flattenJson && text.AsSpan().TrimStart() is [ '{' or '[', ..])
        {
            try
            {
                return new CachedNode { Mzxid = mzxid, Text = text, Json = JsonFlattener.Flatten(text, JsonOptions) };
            }
            catch (JsonException ex)
            {
                return Keep(previous, mzxid, $"The payload looks like JSON but does not parse: {ex.Message}");
            }
        }

        return new CachedNode { Mzxid = mzxid, Text = text };
    }

    /// <summary>Removes the node and everything below it.</summary>
    public void RemoveSubtree(string path)
    {
        string below = path == "/" ? "/" : path + "/";
        Nodes.Remove(path);
        foreach (string key in Nodes.Keys.Where(k => k.StartsWith(below, StringComparison.Ordinal)).ToList())
        {
            Nodes.Remove(key);
        }
    }

    /// <summary>The cached direct children's names of <paramref name="path"/>.</summary>
    public HashSet<string> ChildrenOf(string path)
    {
        string below = path == "/" ? "/" : path + "/";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in Nodes.Keys)
        {
            if (key.Length > below.Length && key.StartsWith(below, StringComparison.Ordinal) && key.IndexOf('/', below.Length) < 0)
            {
                names.Add(key[below.Length..]);
            }
        }

        return names;
    }

    /// <summary>The configuration key of a node: the prefix, then the path below the root with '/' as ':'; null for a prefix-less root.</summary>
    public string? KeyOf(string path)
    {
        string relative = path == Root ? string.Empty : path[(Root == "/" ? 1 : Root.Length + 1)..].Replace('/', ':');
        string key = Prefix.Length == 0 ? relative : relative.Length == 0 ? Prefix : Prefix + ":" + relative;
        return key.Length == 0 ? null : key;
    }

    private static CachedNode Keep(CachedNode? previous, long mzxid, string error) =>
        new() { Mzxid = mzxid, Text = previous?.Text, Json = previous?.Json, Error = error };
}
