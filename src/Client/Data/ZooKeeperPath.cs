namespace ZkTypedState.Client;

/// <summary>ZooKeeper path rules, checked locally with the server's own rules so a bad path fails before it is sent.</summary>
public static class ZooKeeperPath
{
    /// <summary>
    /// Returns null if <paramref name="path"/> is a valid node path, otherwise the reason it is not: it must start with
    /// '/', must not end with '/' (except the root, or a sequential create's prefix), must have no empty, "." or ".."
    /// segment and no characters ZooKeeper rejects (U+0000–U+001F, U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF).
    /// </summary>
    public static string? GetError(string? path, bool isSequential = false)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "the path is empty";
        }

        if (path[0] != '/')
        {
            return "the path must start with '/'";
        }

        if (path.Length == 1)
        {
            return null;
        }

        if (path[^1] == '/' && !isSequential)
        {
            return "the path must not end with '/'";
        }

        int segmentStart = 1;
        for (int i = 1; i <= path.Length; i++)
        {
            if (i < path.Length)
            {
                char c = path[i];
                if (c is <= '\u001f' or (>= '\u007f' and <= '\u009f') or (>= '\ud800' and <= '\uf8ff') or >= '\ufff0')
                {
                    return $"invalid character U+{(int)c:X4} at index {i}";
                }

                if (c != '/')
                {
                    continue;
                }
            }

            int length = i - segmentStart;
            bool last = i == path.Length;
            if (length == 0 && !(last && isSequential))
            {
                return $"empty segment at index {i}";
            }

            if ((length == 1 && path[segmentStart] == '.') || (length == 2 && path[segmentStart] == '.' && path[segmentStart + 1] == '.'))
            {
                return "relative segments ('.' and '..') are not allowed";
            }

            segmentStart = i + 1;
        }

        return null;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> if <paramref name="path"/> is not a valid node path.</summary>
    public static void Validate(string path, bool isSequential = false)
    {
        if (GetError(path, isSequential) is { } error)
        {
            throw new ArgumentException($"Invalid ZooKeeper path '{path}': {error}.", nameof(path));
        }
    }

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Combine(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;
}
