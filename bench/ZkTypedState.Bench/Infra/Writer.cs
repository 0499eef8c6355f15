using ZkTypedState.Client;

namespace ZkTypedState.Bench.Infra;

/// <summary>
/// The setup and writer session: a plain <see cref="ZooKeeperClient"/> straight to the server (--connect), never
/// through the proxy.
/// </summary>
public sealed class Writer : IAsyncDisposable
{
    private const int MaxInFlight = 1000;

    private Writer(ZooKeeperClient client) => Client = client;

    public ZooKeeperClient Client { get; }

    public static async Task<Writer> ConnectAsync(Endpoint server, CancellationToken ct)
    {
        var options = new ZooKeeperClientOptions { ConnectionString = server.ToString(), SessionTimeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            return new Writer(await ZooKeeperClient.ConnectAsync(options, timeout.Token));
        }
        catch (Exception ex) when (ex is not BenchFailure && !ct.IsCancellationRequested)
        {
            throw new BenchFailure($"cannot open the writer session on --connect {server}: {ex.Message}", ex);
        }
    }

    /// <summary>Creates <paramref name="path"/> and its ancestors (empty) where missing.</summary>
    public async Task EnsurePathAsync(string path, CancellationToken ct)
    {
        int slash = 0;
        while (slash >= 0)
        {
            slash = path.IndexOf('/', slash + 1);
            string prefix = slash < 0 ? path : path[..slash];
            try
            {
                await Client.CreateAsync(prefix, cancellationToken: ct);
            }
            catch (NodeExistsException)
            {
            }
        }
    }

    /// <summary>Sets the node's data, creating it when missing (its parent must exist).</summary>
    public async Task CreateOrSetAsync(string path, byte[] data, CancellationToken ct)
    {
        try
        {
            await Client.SetDataAsync(path, data, cancellationToken: ct);
        }
        catch (NoNodeException)
        {
            try
            {
                await Client.CreateAsync(path, data, cancellationToken: ct);
            }
            catch (NodeExistsException)
            {
                await Client.SetDataAsync(path, data, cancellationToken: ct);
            }
        }
    }

    /// <summary>Creates or sets many nodes, pipelined (at most <see cref="MaxInFlight"/> requests in flight).</summary>
    public async Task CreateOrSetManyAsync(int count, Func<int, string> path, Func<int, byte[]> data, CancellationToken ct)
    {
        using var window = new SemaphoreSlim(MaxInFlight);
        var pending = new List<Task>(count);
        for (int i = 0; i < count; i++)
        {
            await window.WaitAsync(ct);
            int index = i;
            pending.Add(Run());

            async Task Run()
            {
                try
                {
                    await CreateOrSetAsync(path(index), data(index), ct);
                }
                finally
                {
                    window.Release();
                }
            }
        }

        await Task.WhenAll(pending);
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
