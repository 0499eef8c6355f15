using System.Text;

namespace ZkTypedState.Client.Watches;

/// <summary>
/// Cuts the watch tables into SetWatches packets the way the Java 3.8 client does (ClientCnxn.primeConnection): paths
/// in the order data, exist, child, persistent, recursive, adding each path's length in UTF-16 chars until the running
/// total reaches 128 Ki (the last path may overshoot), so a reconnect sends as many packets as the Java client would.
/// </summary>
internal static class SetWatchesPacking
{
    /// <summary>The Java client's <c>SET_WATCHES_MAX_LENGTH</c>: UTF-16 chars of paths per packet.</summary>
    public const int MaxPathChars = 128 * 1024;

    /// <summary>A packet's bytes besides its paths: length prefix, request header, relativeZxid and five vector counts.</summary>
    public const int PacketOverheadBytes = 4 + 8 + 8 + (5 * 4);

    /// <summary>
    /// Packs <paramref name="lists"/> (five server-path lists) into packets of five lists each. Besides the Java rule, a
    /// packet is also cut before its encoded size would pass <paramref name="maxPacketBytes"/> (the request limit), which
    /// only matters for a small limit or many multi-byte paths: the Java client would send such a packet and lose the connection.
    /// </summary>
    public static List<List<string>[]> Pack(IReadOnlyList<IReadOnlyList<string>> lists, int maxPacketBytes, int maxPathChars = MaxPathChars)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(lists.Count, 5);
        var packets = new List<List<string>[]>();
        List<string>[]? current = null;
        int chars = 0;
        long bytes = 0;
        for (int list = 0; list < lists.Count; list++)
        {
            foreach (string path in lists[list])
            {
                int pathBytes = 4 + Encoding.UTF8.GetByteCount(path);
                if (current is null || chars >= maxPathChars || (bytes > 0 && PacketOverheadBytes + bytes + pathBytes > maxPacketBytes))
                {
                    current = [[], [], [], [], []];
                    packets.Add(current);
                    chars = 0;
                    bytes = 0;
                }

                current[list].Add(path);
                chars += path.Length;
                bytes += pathBytes;
            }
        }

        return packets;
    }
}
