// The paused-leader scenario (t1–t5), reproduced with two worker sessions, a FaultProxy and a SQLite database:
//   t1  worker-1 leads, prepares a write with its fencing token, and freezes (its connection is blackholed)
//   t2  ZooKeeper expires worker-1's session (its election node goes)
//   t3  worker-2 is elected and writes to the database with its higher token
//   t4  worker-1 wakes; its delayed write reaches the database and is refused (FencedOutException)
//   t5  worker-1 reconnects and only then learns that its session expired
//
//   dotnet run --project samples/LeaderFencing [-- --connect host:port] [--db path/to/file.db] [--keep-db]
// Without --connect a throwaway local ZooKeeper server is started.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using ZkTypedState;
using ZkTypedState.Client;
using ZkTypedState.Recipes;
using ZkTypedState.Testing;

string? connect = Option("--connect") ?? Environment.GetEnvironmentVariable("ZK_CONNECT");
string dbPath = Option("--db") ?? Path.Combine(Path.GetTempPath(), $"leader-fencing-{Guid.NewGuid():N}.db");
bool keepDb = args.Contains("--keep-db");
var clock = new Stopwatch();

ZooKeeperTestServer? localServer = null;
if (string.IsNullOrEmpty(connect))
{
    Console.WriteLine("No --connect given: starting a local ZooKeeper server (tickTime 200 ms)...");
    localServer = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTimeMs = 200 });
    connect = localServer.ConnectionString;
}

string[] hostPort = connect.Split('/')[0].Split(',')[0].Split(':');
int exitCode = 1;
try
{
    exitCode = await RunAsync(hostPort[0], int.Parse(hostPort[1], CultureInfo.InvariantCulture));
}
finally
{
    if (localServer is not null)
    {
        await localServer.DisposeAsync();
    }

    if (!keepDb)
    {
        SqliteConnection.ClearAllPools();
        File.Delete(dbPath);
    }
}

return exitCode;

async Task<int> RunAsync(string host, int port)
{
    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    CancellationToken ct = deadline.Token;

    // The database: a fence table (highest token seen per resource) and the data it guards.
    string connectionString = new SqliteConnectionStringBuilder { DataSource = dbPath, DefaultTimeout = 30 }.ToString();
    var payments = new DbFencedResource(SqliteFactory.Instance, connectionString, "payments");
    await payments.EnsureCreatedAsync(ct);
    await ExecuteAsync(connectionString, "CREATE TABLE IF NOT EXISTS payment_state (id INTEGER PRIMARY KEY, last_batch TEXT NOT NULL, written_by TEXT NOT NULL, token INTEGER NOT NULL)");

    // worker-1 reaches ZooKeeper through a fault proxy, so the demo can freeze it. A frozen process runs no timers, so
    // its client is told not to presume its own expiry early (fraction 10): like the real thing, it learns at t5.
    await using FaultProxy proxy = await FaultProxy.StartAsync(host, port, ct);
    await using var session1 = new ZooKeeperSession(new ZkTypedStateOptions
    {
        ConnectionString = proxy.ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(2),
        PresumedExpiryFraction = 10,
        MaxNewSessionDelay = TimeSpan.FromMilliseconds(200),
    });
    await using var session2 = new ZooKeeperSession(new ZkTypedStateOptions { ConnectionString = $"{host}:{port}", SessionTimeout = TimeSpan.FromSeconds(4) });
    session1.Start();
    session2.Start();
    await session1.GetConnectedClientAsync(ct);
    await session2.GetConnectedClientAsync(ct);

    string electionPath = $"/leader-fencing-demo/run-{Guid.NewGuid():N}";
    await using var worker1 = new LeaderElection(session1, electionPath, new LeaderElectionOptions { ParticipantId = "worker-1" });
    await using var worker2 = new LeaderElection(session2, electionPath, new LeaderElectionOptions { ParticipantId = "worker-2" });
    worker1.Lost += lost => Log($"   worker-1's client: leadership dropped locally ({lost.Reason}): IsLeader = {worker1.IsLeader}. " +
        (lost.Reason == LeadershipLossReason.Disconnected ? "A truly frozen process could not even do this; its write is already queued." : string.Empty));

    Console.WriteLine($"ZooKeeper {host}:{port} (worker-1 via proxy {proxy.ConnectionString}), election {electionPath}, database {dbPath}");
    Console.WriteLine();
    clock.Start();

    await worker1.StartAsync(ct);
    LeaderTerm term1 = await worker1.WaitForLeadershipAsync(ct);
    Log($"worker-1 elected leader: fencing token 0x{term1.FencingToken:x} (czxid of {Name(term1.NodePath)}, session 0x{term1.SessionId:x})");
    await worker2.StartAsync(ct);
    while (worker2.NodePath is null)
    {
        await Task.Delay(10, ct);
    }

    Log($"worker-2 joined the election and waits behind worker-1 ({Name(worker2.NodePath)}), watching only worker-1's node");

    // t2 is observed from worker-2's side: worker-1's election node is deleted when the server expires its session.
    var nodeGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    await (await session2.GetConnectedClientAsync(ct)).ExistsAsync(term1.NodePath, e =>
    {
        if (e.Type == WatchEventType.NodeDeleted)
        {
            nodeGone.TrySetResult();
        }
    }, ct);
    var session1Lost = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
    session1.Changed += e =>
    {
        if (e.Kind == SessionEventKind.Lost)
        {
            session1Lost.TrySetResult(e);
        }
    };

    // t1: worker-1 prepares its write, carrying its token, then freezes.
    var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    Task<int> delayedWrite = Task.Run(async () =>
    {
        await wake.Task;
        return await payments.WriteAsync(term1.FencingToken, (write, token) => RecordBatchAsync(write, "batch-41 (worker-1, stale)", "worker-1", token), ct);
    });
    Log($"t1  worker-1 prepares \"pay batch-41\" with token 0x{term1.FencingToken:x}, then freezes (GC pause: connection blackholed)");
    proxy.Blackhole();

    await nodeGone.Task.WaitAsync(ct);
    Log("t2  ZooKeeper expired worker-1's session: its election node is gone");

    LeaderTerm term2 = await worker2.WaitForLeadershipAsync(ct);
    Log($"t3  worker-2 elected leader: fencing token 0x{term2.FencingToken:x} (> 0x{term1.FencingToken:x})");
    await payments.WriteAsync(term2.FencingToken, (write, token) => RecordBatchAsync(write, "batch-42 (worker-2)", "worker-2", token), ct);
    Log($"    worker-2 writes \"pay batch-42\" with token 0x{term2.FencingToken:x}: committed");

    Log($"t4  worker-1 wakes up; its delayed write reaches the database with token 0x{term1.FencingToken:x}");
    wake.SetResult();
    bool refused = false;
    try
    {
        await delayedWrite;
        Log("    !! the stale write was applied: fencing failed");
    }
    catch (FencedOutException ex)
    {
        refused = true;
        Log($"    REFUSED: {ex.GetType().Name}: {ex.Message}");
    }

    // worker-1 also tries a ZooKeeper write guarded by its old term; it waits for the connection.
    Task<IReadOnlyList<OpResult>> staleZkWrite = worker1.WriteAsLeaderAsync(term1, [new Op.Create(electionPath + "-owner", Encoding.UTF8.GetBytes("worker-1"))], ct);

    proxy.Restore();
    SessionEvent lost = await session1Lost.Task.WaitAsync(ct);
    Log($"t5  worker-1 reconnects and learns its session 0x{lost.SessionId:x} expired ({lost.ClientState})");
    bool zkRefused = false;
    try
    {
        await staleZkWrite;
        Log("    !! worker-1's guarded ZooKeeper write was applied: fencing failed");
    }
    catch (LeadershipLostException ex)
    {
        zkRefused = true;
        Log($"    worker-1's guarded ZooKeeper write: REFUSED by the server ({ex.InnerException?.GetType().Name})");
    }

    while (worker1.NodePath is null || worker1.NodePath == term1.NodePath)
    {
        await Task.Delay(10, ct);
    }

    Log($"    worker-1 re-entered the election in its new session, behind worker-2 ({Name(worker1.NodePath)})");
    clock.Stop();

    Console.WriteLine();
    Console.WriteLine("Database afterwards:");
    foreach (string row in await QueryAsync(connectionString, "SELECT last_batch, written_by, token FROM payment_state"))
    {
        Console.WriteLine($"  payment_state: {row}");
    }

    Console.WriteLine($"  fence 'payments': highest token 0x{await payments.GetHighestTokenAsync(ct):x}");
    bool dbOk = (await QueryAsync(connectionString, "SELECT written_by FROM payment_state")).SequenceEqual(["worker-2"]);
    Console.WriteLine(refused && zkRefused && dbOk
        ? "OK: the stale leader's delayed writes were refused; the database holds only the new leader's write."
        : "FAILED: a stale write got through.");
    return refused && zkRefused && dbOk ? 0 : 1;
}

static async Task<int> RecordBatchAsync(DbFencedWrite write, string batch, string worker, CancellationToken ct)
{
    await using var command = write.CreateCommand(
        "INSERT INTO payment_state (id, last_batch, written_by, token) VALUES (1, @b, @w, @t) " +
        "ON CONFLICT(id) DO UPDATE SET last_batch = excluded.last_batch, written_by = excluded.written_by, token = excluded.token",
        ("b", batch),
        ("w", worker),
        ("t", write.FencingToken));
    return await command.ExecuteNonQueryAsync(ct);
}

static async Task ExecuteAsync(string connectionString, string sql)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}

static async Task<List<string>> QueryAsync(string connectionString, string sql)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await using var reader = await command.ExecuteReaderAsync();
    var rows = new List<string>();
    while (await reader.ReadAsync())
    {
        rows.Add(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetFieldValue<object>(i) is long l && reader.GetName(i) == "token" ? $"token 0x{l:x}" : reader.GetValue(i).ToString())));
    }

    return rows;
}

static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

void Log(string text) => Console.WriteLine($"[+{clock.ElapsedMilliseconds,5} ms] {text}");

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
