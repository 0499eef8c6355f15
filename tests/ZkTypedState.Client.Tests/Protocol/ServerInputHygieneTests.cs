using System.Diagnostics.Metrics;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Protocol;

/// <summary>What a server sends never reaches user code or metrics unchecked; a call abandoned in flight leaves no watch.</summary>
public sealed class ServerInputHygieneTests
{
    private const int GetDataOp = 4;
    private static readonly byte[] EmptyStat = new byte[68];

    [Fact]
    public async Task A_call_cancelled_after_it_was_sent_does_not_register_its_watch()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            var abandoned = new EventRecorder();
            using var cancel = new CancellationTokenSource();
            Task<NodeData> read = client.GetDataAsync("/w", abandoned.Watcher, cancel.Token);
            ScriptedRequest request = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;
            Assert.Equal(GetDataOp, request.OpCode);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
            await connection.SendGetDataReplyAsync(request.Xid, 5, [1], default);

            var kept = new EventRecorder();
            Task<Stat?> exists = client.ExistsAsync("/s", kept.Watcher);
            ScriptedRequest existsRequest = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;
            await connection.SendReplyAsync(existsRequest.Xid, 6, 0, EmptyStat);
            await exists;

            // Events are dispatched in order: once /s's arrives, /w's would have been delivered before it.
            await connection.SendNotificationAsync(WatchEventType.NodeDataChanged, "/w");
            await connection.SendNotificationAsync(WatchEventType.NodeDataChanged, "/s");
            Assert.Equal("/s", (await kept.NextAsync()).Path);
            Assert.Equal(0, abandoned.Count);
        }
    }

    [Fact]
    public async Task Undefined_event_types_do_not_reach_watchers_and_unknown_codes_do_not_become_metric_tags()
    {
        using var meters = new TestMeterFactory();
        var tags = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Owns(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(ReadOnlySpan<KeyValuePair<string, object?>> measurementTags)
        {
            lock (tags)
            {
                foreach (KeyValuePair<string, object?> tag in measurementTags)
                {
                    tags.Add($"{tag.Key}={tag.Value}");
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((_, _, measurementTags, _) => Record(measurementTags));
        listener.SetMeasurementEventCallback<double>((_, _, measurementTags, _) => Record(measurementTags));
        listener.Start();

        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server, configure: o => o.MeterFactory = meters);
        await using (client)
        {
            var persistent = new EventRecorder();
            Task add = client.AddWatchAsync("/p", AddWatchMode.Persistent, persistent.Watcher);
            ScriptedRequest addRequest = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;
            await connection.SendReplyAsync(addRequest.Xid, 7, 0, new byte[4]);
            await add;

            Task<NodeData> read = client.GetDataAsync("/q");
            ScriptedRequest readRequest = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;
            await connection.SendReplyAsync(readRequest.Xid, 8, -12345);
            var error = await Assert.ThrowsAnyAsync<KeeperException>(() => read);
            Assert.Equal((ZooKeeperErrorCode)(-12345), error.Code);

            await connection.SendNotificationAsync((WatchEventType)42, "/p");
            await connection.SendNotificationAsync((WatchEventType)(-1), "/p");
            await connection.SendNotificationAsync(WatchEventType.NodeDataChanged, "/p");
            Assert.Equal(WatchEventType.NodeDataChanged, (await persistent.NextAsync()).Type);
            Assert.Equal(1, persistent.Count);
        }

        listener.RecordObservableInstruments();
        lock (tags)
        {
            Assert.Contains("error.type=_OTHER", tags);
            // server.port may contain any digits; the values a server controls are the error and event type.
            string[] serverControlled = [.. tags.Where(t => t.StartsWith("error.type=", StringComparison.Ordinal) || t.StartsWith("zookeeper.watch.event.type=", StringComparison.Ordinal))];
            Assert.NotEmpty(serverControlled);
            Assert.DoesNotContain(serverControlled, t => t.Contains("-12345") || t.Contains("42"));
        }
    }

    [Fact]
    public void NodeData_ToString_survives_any_timestamps_a_server_sends()
    {
        var stat = new Stat(1, 2, long.MaxValue, long.MinValue, 0, 0, 0, 0, 0, 0, 3);
        string text = new NodeData([1, 2], stat).ToString();

        Assert.Contains("Ctime", text);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), stat.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(DateTimeOffset.MinValue, stat.ModifiedAt);
    }

    [Fact]
    public async Task An_idle_connected_client_does_not_poll_for_expiry()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, _) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            int before = client.ExpiryWatchdogWakeups;
            await Task.Delay(500);
            // A 20 ms timer woke it 25 times here; now it sleeps until the state changes.
            Assert.InRange(client.ExpiryWatchdogWakeups - before, 0, 2);
        }
    }

    [Fact]
    public async Task RemoveWatchesAsync_after_dispose_throws_ObjectDisposedException()
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{Scripted.ClosedPort()}" });
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RemoveWatchesAsync("/x", null, WatcherType.Any));
    }

    [Fact]
    public async Task Calls_racing_DisposeAsync_all_complete_with_a_typed_error()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server, configure: o => o.CloseTimeout = TimeSpan.FromMilliseconds(50));
        _ = Task.Run(async () =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
            }
        });

        var calls = new List<Task>();
        Task submitters = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                Task call = client.ExistsAsync("/r");
                lock (calls)
                {
                    calls.Add(call);
                }
            }
        })));
        await client.DisposeAsync();
        await submitters;

        foreach (Task call in calls)
        {
            Exception error = await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Timeouts.Event));
            Assert.True(error is ObjectDisposedException or ConnectionLossException, error.ToString());
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public bool Owns(Meter meter)
        {
            lock (_meters)
            {
                return _meters.Contains(meter);
            }
        }

        public void Dispose()
        {
            lock (_meters)
            {
                foreach (Meter meter in _meters)
                {
                    meter.Dispose();
                }
            }
        }
    }
}
