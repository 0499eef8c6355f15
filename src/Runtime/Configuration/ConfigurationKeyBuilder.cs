namespace ZkTypedState.Configuration;

/// <summary>The keys the subtrees map to, with what could not be mapped cleanly.</summary>
internal sealed record MappedKeys(
    Dictionary<string, string?> Data,
    IReadOnlyList<ZooKeeperConfigurationConflict> Conflicts,
    IReadOnlyList<ZooKeeperConfigurationPayloadError> PayloadErrors);

/// <summary>Maps cached subtrees to configuration keys (case-insensitive, as configuration compares them).</summary>
internal static class ConfigurationKeyBuilder
{
    public static MappedKeys Build(IReadOnlyList<SubtreeCache> caches)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var conflicts = new List<ZooKeeperConfigurationConflict>();
        var errors = new List<ZooKeeperConfigurationPayloadError>();
        foreach (SubtreeCache cache in caches)
        {
            // Within a subtree two sources of one key are a conflict: the ordinally first path (then the first JSON member)
            // is served, whatever order the reads came back in. Across subtrees the later one layers over the earlier.
            var local = new Dictionary<string, (string? Value, string Source)>(StringComparer.OrdinalIgnoreCase);
            string[] paths = [.. cache.Nodes.Keys.Order(StringComparer.Ordinal)];
            for (int i = 0; i < paths.Length; i++)
            {
                string path = paths[i];
                CachedNode node = cache.Nodes[path];
                if (node.Error is not null)
                {
                    errors.Add(new ZooKeeperConfigurationPayloadError(path, node.Error));
                }

                string? key = cache.KeyOf(path);
                if (node.Json is not null)
                {
                    foreach ((string relative, string? value) in node.Json)
                    {
                        string full = key is null ? relative : relative.Length == 0 ? key : key + ":" + relative;
                        Add(local, conflicts, full, value, $"{path} (JSON {(relative.Length == 0 ? "value" : relative)})");
                    }

                    continue;
                }

                bool hasChildren = i + 1 < paths.Length && paths[i + 1].StartsWith(path == "/" ? "/" : path + "/", StringComparison.Ordinal);
                if (key is not null && node.Text is { } text && (text.Length > 0 || !hasChildren))
                {
                    Add(local, conflicts, key, text, path);
                }
            }

            foreach ((string key, (string? value, _)) in local)
            {
                data[key] = value;
            }
        }

        return new MappedKeys(data, conflicts, errors);
    }

    private static void Add(Dictionary<string, (string? Value, string Source)> local, List<ZooKeeperConfigurationConflict> conflicts, string key, string? value, string source)
    {
        if (local.TryGetValue(key, out (string? Value, string Source) served))
        {
            conflicts.Add(new ZooKeeperConfigurationConflict(key, served.Source, source));
            return;
        }

        local[key] = (value, source);
    }
}
