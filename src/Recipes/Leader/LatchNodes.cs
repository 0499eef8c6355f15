using System.Globalization;

namespace ZkTypedState.Recipes;

/// <summary>
/// Node naming and ordering shared with Apache Curator's LeaderLatch (5.x), so Java and .NET participants on the same
/// latch path agree on the leader.
/// </summary>
/// <remarks>
/// Curator creates <c>latchPath + "/latch-"</c> as EPHEMERAL_SEQUENTIAL "with protection", which prefixes the name with
/// <c>_c_ + UUID + "-"</c> (<c>ProtectedUtils.getProtectedPrefix</c>), giving <c>_c_3f2a…-latch-0000000007</c>. It orders
/// children with <c>StandardLockInternalsDriver.standardFixForSorting(child, "latch-")</c>: the text after the last
/// <c>latch-</c>, compared as Java strings (UTF-16 code units, i.e. ordinal). The lowest leads; each participant watches
/// the one just before it. Curator sorts every child; this implementation leaves out children without <c>latch-</c>
/// (so a stray node under the latch path cannot stall the election); for latch nodes the order is identical.
/// </remarks>
internal static class LatchNodes
{
    /// <summary>Curator's LeaderLatch lock name.</summary>
    public const string LockName = "latch-";

    /// <summary>Curator's protected-name prefix.</summary>
    public const string ProtectedPrefix = "_c_";

    /// <summary>The node name prefix for a protected id: <c>_c_{id}-latch-</c> (the server appends the 10-digit suffix).</summary>
    public static string NamePrefix(string protectedId) => ProtectedPrefix + protectedId + "-" + LockName;

    /// <summary>The protected prefix alone (<c>_c_{id}-</c>), as Curator searches for it after a connection loss.</summary>
    public static string ProtectedIdPrefix(string protectedId) => ProtectedPrefix + protectedId + "-";

    /// <summary>Curator's sort key: the text after the last <c>latch-</c>.</summary>
    public static string SortKey(string child)
    {
        int index = child.LastIndexOf(LockName, StringComparison.Ordinal);
        return index >= 0 ? child[(index + LockName.Length)..] : child;
    }

    /// <summary>The latch children in election order (lowest first).</summary>
    public static List<string> Sort(IEnumerable<string> children) =>
        children
            .Where(c => c.Contains(LockName, StringComparison.Ordinal))
            .OrderBy(SortKey, StringComparer.Ordinal)
            .ThenBy(c => c, StringComparer.Ordinal)
            .ToList();

    /// <summary>The sequence suffix of a latch node name, or -1 if it has none.</summary>
    public static long SequenceOf(string child) =>
        long.TryParse(SortKey(child), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long sequence) ? sequence : -1;

    /// <summary>The last segment of a path.</summary>
    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
