using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Session;

[Collection(ServerCollection.Name)]
public sealed class PipeliningTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task Ten_thousand_pipelined_requests_complete_in_order_with_their_own_replies()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path, Encoding.UTF8.GetBytes("-1"));

        // Alternate writes and reads without awaiting: every read must see exactly the write issued before it,
        // which holds only if requests go out and replies come back matched in issue order.
        const int pairs = 5_000;
        var writes = new Task<Stat>[pairs];
        var reads = new Task<NodeData>[pairs];
        var completionOrder = new List<int>(pairs * 2);
        var recorded = new List<Task>(pairs * 2);
        for (int i = 0; i < pairs; i++)
        {
            int index = i;
            writes[i] = client.SetDataAsync(path, Encoding.UTF8.GetBytes(i.ToString()));
            reads[i] = client.GetDataAsync(path);
            recorded.Add(writes[i].ContinueWith(_ => { lock (completionOrder) { completionOrder.Add(2 * index); } }, TaskContinuationOptions.ExecuteSynchronously));
            recorded.Add(reads[i].ContinueWith(_ => { lock (completionOrder) { completionOrder.Add((2 * index) + 1); } }, TaskContinuationOptions.ExecuteSynchronously));
        }

        Stat[] written = await Task.WhenAll(writes);
        NodeData[] read = await Task.WhenAll(reads);

        for (int i = 0; i < pairs; i++)
        {
            Assert.Equal(i + 1, written[i].Version);
            Assert.Equal(i.ToString(), Encoding.UTF8.GetString(read[i].Data));
            Assert.Equal(i + 1, read[i].Stat.Version);
        }

        await Task.WhenAll(recorded);
        Assert.Equal(pairs * 2, completionOrder.Count);
    }

    [Fact]
    public async Task Requests_from_many_threads_at_once_all_complete()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath();
        await client.CreateAsync(path);

        await Parallel.ForAsync(0, 200, async (i, ct) => await client.CreateAsync($"{path}/n{i}", Encoding.UTF8.GetBytes(i.ToString()), cancellationToken: ct));

        Assert.Equal(200, (await client.GetChildrenAsync(path)).Children.Count);
    }
}
