using System.Text;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client.Tests.Watches;

/// <summary>SetWatches packets are cut as the Java 3.8 client cuts them: 128 Ki UTF-16 chars of paths, the last one overshooting.</summary>
public sealed class SetWatchesPackingTests
{
    private const int ServerLimit = 1_048_575;

    [Fact]
    public void Fifty_thousand_family_members_and_the_parent_child_watch_go_in_seven_packets_as_with_the_Java_client()
    {
        // The peers' reconnect at 50k: data watches on /bench/load/n00000 … n49999, a child watch on /bench/load.
        IReadOnlyList<string> data = [.. Enumerable.Range(0, 50_000).Select(i => $"/bench/load/n{i:D5}")];
        List<List<string>[]> packets = SetWatchesPacking.Pack([data, [], ["/bench/load"], [], []], ServerLimit);

        Assert.Equal(JavaPacketCount([data, [], ["/bench/load"], [], []]), packets.Count);
        Assert.Equal(7, packets.Count);

        // 131,072 / 18 chars rounds up to 7,282 paths: the path that reaches the budget is still taken.
        Assert.Equal(7_282, packets[0][0].Count);
        Assert.Equal(["/bench/load"], packets[^1][2]);
    }

    [Fact]
    public void Every_path_is_sent_once_in_its_own_list_and_in_order()
    {
        IReadOnlyList<string>[] lists =
        [
            [.. Enumerable.Range(0, 9000).Select(i => $"/d/{i:D6}-{new string('x', 20)}")],
            [.. Enumerable.Range(0, 3000).Select(i => $"/e/{i}")],
            [.. Enumerable.Range(0, 3000).Select(i => $"/c/{i}")],
            ["/p"],
            ["/r"],
        ];
        List<List<string>[]> packets = SetWatchesPacking.Pack(lists, ServerLimit);

        Assert.True(packets.Count > 1, $"expected several packets, got {packets.Count}");
        for (int list = 0; list < 5; list++)
        {
            Assert.Equal(lists[list], packets.SelectMany(p => p[list]));
        }

        foreach (List<string>[] packet in packets.SkipLast(1))
        {
            // Full up to the budget, and over it only by the last path taken.
            string[] paths = [.. packet.SelectMany(l => l)];
            int chars = paths.Sum(p => p.Length);
            Assert.InRange(chars, SetWatchesPacking.MaxPathChars, SetWatchesPacking.MaxPathChars + paths[^1].Length - 1);
        }
    }

    [Fact]
    public void Paths_are_counted_in_UTF16_chars_as_the_Java_client_counts_them()
    {
        // 3 UTF-8 bytes per char: a byte count would cut these three times as often.
        IReadOnlyList<string> data = [.. Enumerable.Range(0, 30_000).Select(i => $"/€€€€€€€€€€€€/{i:D5}")];
        List<List<string>[]> packets = SetWatchesPacking.Pack([data, [], [], [], []], ServerLimit);

        Assert.Equal(JavaPacketCount([data, [], [], [], []]), packets.Count);
        Assert.Equal(5, packets.Count);
    }

    [Fact]
    public void A_small_request_limit_also_cuts_a_packet_before_its_encoded_size_would_pass_it()
    {
        IReadOnlyList<string> data = [.. Enumerable.Range(0, 500).Select(i => $"/limit/{i:D4}")];
        const int Limit = 1024;
        List<List<string>[]> packets = SetWatchesPacking.Pack([data, [], [], [], []], Limit);

        Assert.Equal(data, packets.SelectMany(p => p[0]));
        foreach (List<string>[] packet in packets)
        {
            int bytes = SetWatchesPacking.PacketOverheadBytes + packet.SelectMany(l => l).Sum(p => 4 + Encoding.UTF8.GetByteCount(p));
            Assert.InRange(bytes, 1, Limit);
        }

        // 1,024 − 40 bytes of overhead leave room for 65 paths of 15 bytes (4 + 11).
        Assert.Equal(65, packets[0][0].Count);
    }

    [Fact]
    public void No_watches_make_no_packet()
    {
        Assert.Empty(SetWatchesPacking.Pack([[], [], [], [], []], ServerLimit));
    }

    /// <summary>The Java client's loop (ClientCnxn.primeConnection), transcribed: how many packets it sends.</summary>
    private static int JavaPacketCount(IReadOnlyList<string>[] lists)
    {
        var queue = new Queue<string>(lists.SelectMany(l => l));
        int packets = 0;
        while (queue.Count > 0)
        {
            int batchLength = 0;
            while (batchLength < 128 * 1024 && queue.TryDequeue(out string? watch))
            {
                batchLength += watch.Length;
            }

            packets++;
        }

        return packets;
    }
}
