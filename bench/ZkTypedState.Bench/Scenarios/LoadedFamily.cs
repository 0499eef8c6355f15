using ZkTypedState.Bench.Infra;
using ZkTypedState.Bench.Model;

namespace ZkTypedState.Bench.Scenarios;

/// <summary>
/// The <c>load</c> state shared by load, reconnect and expiry: N children of /bench/load set up through --connect
/// (untimed), then the client under test started through --proxied and every child bound and loaded (timed).
/// </summary>
public sealed class LoadedFamily : IAsyncDisposable
{
    private LoadedFamily(ClientUnderTest client, IZNode<LoadValue>[] nodes, double loadMs, double? connectedMs)
    {
        Client = client;
        Nodes = nodes;
        LoadMs = loadMs;
        ConnectedMs = connectedMs;
    }

    public ClientUnderTest Client { get; }

    public IZNode<LoadValue>[] Nodes { get; }

    /// <summary>From starting the client under test to all N values held with their watches set.</summary>
    public double LoadMs { get; }

    /// <summary>From starting the client under test to its session's first Established event (part of <see cref="LoadMs"/>).</summary>
    public double? ConnectedMs { get; }

    /// <summary>Creates (or overwrites) the N children with rev 0 of this run: untimed, through --connect.</summary>
    public static async Task SetUpAsync(ScenarioContext ctx)
    {
        long start = Clock.Now;
        await ctx.Writer.EnsurePathAsync(BenchNodes.LoadRoot, ctx.Token);
        await ctx.Writer.CreateOrSetManyAsync(
            ctx.N,
            BenchNodes.LoadPath,
            i => BenchNodes.Serialize(BenchNodes.LoadPayload(i, rev: 0, ctx.Run)),
            ctx.Token);
        Log.Info($"setup: {ctx.N} children of {BenchNodes.LoadRoot} written through --connect in {Clock.MsSince(start):0} ms");
    }

    /// <summary>
    /// Starts the client under test and loads all N children; resets the proxy's counters first, so its stats
    /// afterwards count exactly the load.
    /// </summary>
    public static async Task<LoadedFamily> LoadAsync(ScenarioContext ctx, TimeSpan sessionTimeout)
    {
        // The host (DI container, logging, options) is built untimed, as an application's exists before its hosted
        // services start; no ZooKeeper object exists yet. Timed from just before the session owner is constructed.
        // So is the generic host's own first start (see WarmUpHostingAsync): an application pays it once for all its
        // services, not for ZooKeeper.
        await ClientUnderTest.WarmUpHostingAsync(ctx.Token);
        ClientUnderTest client = ClientUnderTest.Build(ctx.Args.Proxied, sessionTimeout, b => b.AddZNode(LoadValue.ZNode));
        await ctx.Control.ResetAsync(ctx.Token);
        long start = Clock.Now;
        IZNode<LoadValue>[] nodes;
        long reportedAt;
        double boundMs;
        try
        {
            // Starting the host connects, discovers the family (the child list of /bench/load, watched), binds the
            // members and waits until every one is loaded (the hosted service awaits WaitForAllLoadedAsync): its
            // completion is the runtime reporting the initial load complete, as the peers' "initialized".
            using LoadTrace? trace = Environment.GetEnvironmentVariable("ZKBENCH_TRACE") == "1" ? new LoadTrace(client, ctx.N, start) : null;
            long allocatedBefore = GC.GetTotalAllocatedBytes();
            int[] gcsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            await client.StartAsync(ctx.Token);
            reportedAt = Clock.Now;
            if (trace is not null)
            {
                Log.Info($"trace: the start allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / ctx.N} bytes a node; GCs gen0/1/2 {GC.CollectionCount(0) - gcsBefore[0]}/{GC.CollectionCount(1) - gcsBefore[1]}/{GC.CollectionCount(2) - gcsBefore[2]}; heap {GC.GetTotalMemory(false) / 1024 / 1024} MB");
                if (int.TryParse(Environment.GetEnvironmentVariable("ZKBENCH_PAUSE_MS"), out int pauseMs))
                {
                    // Time to take a heap dump (dotnet-gcdump) of the loaded state.
                    Log.Info($"trace: pausing {pauseMs} ms, pid {Environment.ProcessId}");
                    await Task.Delay(pauseMs, ctx.Token);
                }
            }

            // Untimed from here: the runner looks the members up by name, as an application would, and checks that
            // the runtime indeed holds them all loaded (if it did not yet, the load ends when it does).
            var family = client.Get<IZNodeFamily<LoadValue>>();
            nodes = new IZNode<LoadValue>[ctx.N];
            for (int i = 0; i < nodes.Length; i++)
            {
                nodes[i] = family.Get(BenchNodes.LoadName(i));
            }

            boundMs = Clock.MsSince(start);
            Task all = client.Runtime.WaitForAllLoadedAsync(ctx.Token);
            if (!all.IsCompleted)
            {
                await Waits.WithinAsync(all, LoadTimeout(ctx.N), $"all {ctx.N} nodes to load", ctx.Token);
                reportedAt = Clock.Now;
            }

            if (family.Members.Count != ctx.N)
            {
                throw new BenchFailure($"the family holds {family.Members.Count} members, not {ctx.N}.");
            }
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        double reportedMs = Clock.Ms(start, reportedAt);
        double? connectedMs = client.ConnectedAt > 0 ? Clock.Ms(start, client.ConnectedAt) : null;
        var loaded = new LoadedFamily(client, nodes, 0, connectedMs);
        try
        {
            // Held = readable: Fresh with this run's content (see Visibility for why "loaded" is not enough).
            long heldAt;
            int late;
            try
            {
                (heldAt, late) = await Visibility.WaitAsync(nodes, s => s.Status == ZNodeStatus.Fresh && s.Value.Run == ctx.Run && s.Value.Rev == 0, TimeSpan.FromSeconds(5), "the loaded values to be readable", ctx.Token);
            }
            catch (BenchFailure)
            {
                loaded.Verify(ctx, i => 0, "after the load");
                throw;
            }

            // When every value was readable at the first look after the runtime reported them loaded, they were held
            // then (the look itself takes a few ms over 10,000 nodes and is not the client's time).
            loaded = new LoadedFamily(client, nodes, Clock.Ms(start, late == 0 ? reportedAt : heldAt), connectedMs);
            Log.Info($"load: all reported loaded at {reportedMs:0.0} ms, {ctx.N} members looked up at {boundMs:0.0} ms, all readable at {loaded.LoadMs:0.0} ms"
                + (late > 0 ? $" ({late} node(s) were reported loaded before their value was readable)" : ""));
            loaded.Verify(ctx, i => 0, "after the load");
        }
        catch
        {
            await loaded.DisposeAsync();
            throw;
        }

        return loaded;
    }

    public static TimeSpan LoadTimeout(int n) => TimeSpan.FromSeconds(60 + (n / 100.0));

    /// <summary>The peers' <c>values_ok</c>: every node Fresh with this run's content at the expected rev (waits up to 30 s, as theirs do).</summary>
    public async Task<bool> ValuesOkAsync(ScenarioContext ctx, Func<int, long> expectedRev)
    {
        try
        {
            await Visibility.WaitAsync(Nodes, s => s.Status == ZNodeStatus.Fresh && s.Value.Run == ctx.Run, TimeSpan.FromSeconds(30), "every value to be Fresh", ctx.Token);
            Verify(ctx, expectedRev, "afterwards");
            return true;
        }
        catch (BenchFailure ex)
        {
            Log.Info($"values_ok: no: {ex.Message}");
            return false;
        }
    }

    /// <summary>Checks that every node is Fresh and holds this run's content at the expected rev.</summary>
    public void Verify(ScenarioContext ctx, Func<int, long> expectedRev, string when)
    {
        int bad = 0;
        string? first = null;
        for (int i = 0; i < Nodes.Length; i++)
        {
            ZNodeSnapshot<LoadValue> s = Nodes[i].Current;
            if (s.Status != ZNodeStatus.Fresh || s.Value.Id != BenchNodes.LoadName(i) || s.Value.Run != ctx.Run || s.Value.Rev != expectedRev(i))
            {
                bad++;
                first ??= $"{Nodes[i].Path}: status {s.Status}, id '{s.Value.Id}', run '{s.Value.Run}', rev {s.Value.Rev} (expected rev {expectedRev(i)}){(s.Error is null ? "" : ", error: " + s.Error.Message)}";
            }
        }

        if (bad > 0)
        {
            throw new BenchFailure($"{when}, {bad} of {Nodes.Length} nodes do not hold the expected value; first: {first}");
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>The K changed nodes of reconnect and expiry.</summary>
public static class ChangedNodes
{
    public const int K = 10;

    /// <summary>The peers' K changed ids: <c>i * N / K</c> (0, N/10, 2N/10, …).</summary>
    public static int[] Pick(int n) => [.. Enumerable.Range(0, Math.Min(K, n)).Select(j => (int)((long)j * n / Math.Min(K, n)))];

    /// <summary>Writes rev 1 of each picked node through --connect, pipelined.</summary>
    public static Task ChangeAsync(ScenarioContext ctx, int[] indices) =>
        Task.WhenAll(indices.Select(i => ctx.Writer.Client.SetDataAsync(BenchNodes.LoadPath(i), BenchNodes.Serialize(BenchNodes.LoadPayload(i, rev: 1, ctx.Run)), cancellationToken: ctx.Token)));

    /// <summary>
    /// The peers' "the cache shows v = 1": the new value is what <c>Current</c> serves (the re-read after the re-attach
    /// applied it), whatever the status says — Stale until the runtime has also taken in the re-attach.
    /// </summary>
    public static bool HoldsNewValue(ZNodeSnapshot<LoadValue> s, string run) => s.Value.Rev == 1 && s.Value.Run == run;

    /// <summary>Stricter than the peers measure: the new value is served and Fresh (the runtime has taken in the re-attach too).</summary>
    public static bool HoldsNewValueFresh(ZNodeSnapshot<LoadValue> s, string run) => s.Status == ZNodeStatus.Fresh && HoldsNewValue(s, run);
}

/// <summary>ZKBENCH_TRACE=1: samples the runtime every ~1 ms during the load and logs when the N members were bound and their N reads issued.</summary>
internal sealed class LoadTrace : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;

    public LoadTrace(ClientUnderTest client, int n, long start)
    {
        _thread = new Thread(() =>
        {
            long bound = 0, issued = 0;
            while (!_stop && (bound == 0 || issued == 0))
            {
                ZNodeRuntime? runtime = client.TryGetRuntime();
                if (runtime is not null)
                {
                    if (bound == 0 && runtime.BoundNodeCount >= n)
                    {
                        bound = Clock.Now;
                    }

                    if (issued == 0 && runtime.ReadsIssued >= n)
                    {
                        issued = Clock.Now;
                    }
                }

                Thread.Sleep(1);
            }

            Log.Info($"trace: connected at {(client.ConnectedAt > 0 ? Clock.Ms(start, client.ConnectedAt) : -1):0.0} ms, {n} bound at {(bound > 0 ? Clock.Ms(start, bound) : -1):0.0} ms, {n} reads issued at {(issued > 0 ? Clock.Ms(start, issued) : -1):0.0} ms");
        }) { IsBackground = true };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
