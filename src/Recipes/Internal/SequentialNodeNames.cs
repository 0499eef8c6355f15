using System.Globalization;

namespace ZkTypedState.Recipes;

/// <summary>
/// Node naming and ordering shared with Apache Curator's lock-style recipes (5.x): LeaderLatch (<c>latch-</c>) and
/// InterProcessMutex (<c>lock-</c>), so Java and .NET participants on the same path agree on who is first.
/// </summary>
/// <remarks>
/// Curator creates <c>path + "/" + lockName</c> as EPHEMERAL_SEQUENTIAL "with protection", which prefixes the name with
/// <c>_c_ + UUID + "-"</c> (<c>ProtectedUtils.getProtectedPrefix</c>), giving <c>_c_3f2a…-latch-0000000007</c> or
/// <c>_c_3f2a…-lock-0000000007</c>. It orders children with <c>StandardLockInternalsDriver.standardFixForSorting(child, lockName)</c>:
/// the text after the last <paramref name="LockName"/>, compared as Java strings (UTF-16 code units, i.e. ordinal). The
/// lowest is first; each waiter watches the one just before it. Curator sorts every child; this implementation leaves out
/// children without the lock name (so a stray node cannot stall the recipe); for recipe nodes the order is identical.
/// </remarks>
/// <param name="LockName">Curator's lock name: <c>latch-</c> or <c>lock-</c>.</param>
internal sealed record SequentialNodeNames(string LockName)
{
    /// <summary>Curator's protected-name prefix.</summary>
    public const string ProtectedPrefix = "_c_";

    /// <summary>LeaderLatch naming.</summary>
    public static readonly SequentialNodeNames Latch = new("latch-");

    /// <summary>InterProcessMutex naming.</summary>
    public static readonly SequentialNodeNames Lock = new("lock-");

    /// <summary>The node name prefix for a protected id: <c>_c_{id}-{lockName}</c> (the server appends the 10-digit suffix).</summary>
    public string NamePrefix(string protectedId) => ProtectedIdPrefix(protectedId) + LockName;

    /// <summary>The protected prefix alone (<c>_c_{id}-</c>), as Curator searches for it after a connection loss.</summary>
    public static string ProtectedIdPrefix(string protectedId) => ProtectedPrefix + protectedId + "-";

    /// <summary>Curator's sort key: the text after the last lock name.</summary>
    public string SortKey(string child)
    {
        int index = child.LastIndexOf(LockName, StringComparison.Ordinal);
        return index >= 0 ? child[(index + LockName.Length)..] : child;
    }

    /// <summary>The recipe's children in order (lowest first).</summary>
    public List<string> Sort(IEnumerable<string> children) =>
        children
            .Where(c => c.Contains(LockName, StringComparison.Ordinal))
            .OrderBy(SortKey, StringComparer.Ordinal)
            .ThenBy(c => c, StringComparer.Ordinal)
            .ToList();

    /// <summary>The sequence suffix of a node name, or -1 if it has none.</summary>
    public long SequenceOf(string child) =>
        long.TryParse(SortKey(child), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long sequence) ? sequence : -1;

    /// <summary>The last segment of a path.</summary>
    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}

/// <summary>LeaderLatch naming (kept for the election's callers and tests).</summary>
internal static class LatchNodes
{
    /// <summary>Curator's LeaderLatch lock name.</summary>
    public const string LockName = "latch-";

    /// <inheritdoc cref="SequentialNodeNames.NamePrefix"/>
    public static string NamePrefix(string protectedId) => SequentialNodeNames.Latch.NamePrefix(protectedId);

    /// <inheritdoc cref="SequentialNodeNames.Sort"/>
    public static List<string> Sort(IEnumerable<string> children) => SequentialNodeNames.Latch.Sort(children);

    /// <inheritdoc cref="SequentialNodeNames.SequenceOf"/>
    public static long SequenceOf(string child) => SequentialNodeNames.Latch.SequenceOf(child);

    /// <inheritdoc cref="SequentialNodeNames.NameOf"/>
    public static string NameOf(string path) => SequentialNodeNames.NameOf(path);
}
