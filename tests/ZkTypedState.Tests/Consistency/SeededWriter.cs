using System.Text;
using ZkTypedState.Client;

namespace ZkTypedState.Tests.Consistency;

/// <summary>
/// The only writer of the test's nodes: seeded sets, deletes and re-creates, each recorded in the <see cref="History"/>.
/// A write whose outcome is unknown (connection lost in flight) is settled by reading the node back after a sync, which
/// is exact because nobody else writes. Stopping never cancels an operation in flight (its outcome would then be
/// unknown): the loop ends after the current one.
/// </summary>
internal sealed class SeededWriter(ZooKeeperClient client, IReadOnlyList<string> paths, History history, int seed)
{
    private readonly Random _random = new(seed);
    private int _next = seed * 1_000_000;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string path = paths[_random.Next(paths.Count)];
            int roll = _random.Next(100);
            int value = ++_next;
            try
            {
                if (roll < 15)
                {
                    await DeleteAsync(path);
                }
                else if (roll < 20)
                {
                    await SetOrCreateAsync(path, History.Rejected);
                }
                else
                {
                    await SetOrCreateAsync(path, value);
                }
            }
            catch (Exception ex) when (ex is ConnectionLossException or TimeoutException)
            {
                await SettleAsync(path);
            }

            await Task.Delay(_random.Next(5, 25), stop).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private async Task SetOrCreateAsync(string path, int value)
    {
        byte[] bytes = value == History.Rejected ? Encoding.UTF8.GetBytes("{not json") : Encoding.UTF8.GetBytes($$"""{"Count":{{value}}}""");
        try
        {
            Stat stat = await client.SetDataAsync(path, bytes, -1);
            history.Written(path, stat.Mzxid, value);
        }
        catch (NoNodeException)
        {
            Stat stat = (await client.CreateAsync(path, bytes)).Stat;
            history.Written(path, stat.Mzxid, value);
        }
    }

    private async Task DeleteAsync(string path)
    {
        try
        {
            await client.DeleteAsync(path, -1);
            history.Deleted(path);
        }
        catch (NoNodeException)
        {
        }
    }

    /// <summary>After an unknown outcome: waits for the connection, syncs and records what the node really holds.</summary>
    private async Task SettleAsync(string path)
    {
        while (true)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await client.WaitForConnectedAsync(bound.Token);
                await client.SyncAsync(path, bound.Token);
                ObservedNode node = await client.GetDataObservedAsync(path, null, bound.Token);
                if (!node.Exists)
                {
                    if (history.Current(path) is not null)
                    {
                        history.Deleted(path);
                    }
                }
                else if (!history.TryGet(path, node.Stat!.Value.Mzxid, out _))
                {
                    history.Written(path, node.Stat!.Value.Mzxid, node.Data is [(byte)'{', (byte)'n', ..] ? History.Rejected : ParseCount(node.Data!));
                }

                return;
            }
            catch (Exception ex) when (ex is ConnectionLossException or TimeoutException)
            {
            }
        }
    }

    public static int ParseCount(byte[] data)
    {
        string json = Encoding.UTF8.GetString(data);
        int colon = json.IndexOf(':', StringComparison.Ordinal);
        return int.Parse(json.AsSpan(colon + 1, json.IndexOf('}', StringComparison.Ordinal) - colon - 1), System.Globalization.CultureInfo.InvariantCulture);
    }
}
