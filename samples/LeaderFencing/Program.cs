// The paused-leader scenario (t1–t5), reproduced with two worker sessions, a FaultProxy and a SQLite database:
//   t1  worker-1 leads, prepares a write with its fencing token, and freezes (its connection is blackholed)
//   t2  ZooKeeper expires worker-1's session (its election node goes)
//   t3  worker-2 is elected and writes to the database with its higher token
//   t4  worker-1 wakes; its delayed write reaches the database and is refused (FencedOutException)
//   t5  worker-1 reconnects and only then learns that its session expired
// Each worker is a small app: AddZkTypedState + AddLeaderElection("payments", ...) run by a host, the election
// injected as a keyed ILeaderElection. Host stop leaves the election (the next worker leads at once). A second part
// shows the fenced distributed lock (Curator InterProcessMutex compatible) guarding the same database.
//
//   dotnet run --project samples/LeaderFencing [-- --connect host:port] [--db path/to/file.db] [--keep-db]
// Without --connect a throwaway local ZooKeeper server is started.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    string electionPath = $"/leader-fencing-demo/run-{Guid.NewGuid():N}";
    using IHost app1 = BuildWorker("worker-1", proxy.ConnectionString, TimeSpan.FromSeconds(2), presumedExpiryFraction: 10, electionPath);
    using IHost app2 = BuildWorker("worker-2", $"{host}:{port}", TimeSpan.FromSeconds(4), presumedExpiryFraction: 1, electionPath);
    ZooKeeperSession session1 = app1.Services.GetRequiredService<ZooKeeperSession>();
    ZooKeeperSession session2 = app2.Services.GetRequiredService<ZooKeeperSession>();

    // The hosted election is injected like any service; the concrete type adds the ZooKeeper-side guarded write.
    LeaderElection worker1 = app1.Services.GetRequiredKeyedService<LeaderElection>("payments");
    LeaderElection worker2 = app2.Services.GetRequiredKeyedService<LeaderElection>("payments");
    worker1.Lost += lost => Log($"   worker-1's client: leadership dropped locally ({lost.Reason}): IsLeader = {worker1.IsLeader}. " +
        (lost.Reason == LeadershipLossReason.Disconnected ? "A truly frozen process could not even do this; its write is already queued." : string.Empty));

    Console.WriteLine($"ZooKeeper {host}:{port} (worker-1 via proxy {proxy.ConnectionString}), election {electionPath}, database {dbPath}");
    Console.WriteLine();
    clock.Start();

    await app1.StartAsync(ct); // joins the election
    LeaderTerm term1 = await worker1.WaitForLeadershipAsync(ct);
    Log($"worker-1 elected leader: fencing token 0x{term1.FencingToken:x} (czxid of {Name(term1.NodePath)}, session 0x{term1.SessionId:x})");
    await app2.StartAsync(ct);
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

    // Part two: the same fencing with a distributed lock instead of an election.
    Console.WriteLine();
    bool lockOk = await LockDemoAsync(session1, session2, connectionString, ct);
    Console.WriteLine();

    // worker-2's host stops: its hosted election leaves (deleting its node), so worker-1 leads without waiting for a session timeout.
    var handOver = Stopwatch.StartNew();
    await app2.StopAsync(ct);
    LeaderTerm term3 = await worker1.WaitForLeadershipAsync(ct);
    Log($"worker-2's host stopped: worker-1 leads again after {handOver.ElapsedMilliseconds} ms, token 0x{term3.FencingToken:x} (old term's token cancelled: {term1.Token.IsCancellationRequested})");
    await app1.StopAsync(ct);
    clock.Stop();

    Console.WriteLine();
    Console.WriteLine("Database afterwards:");
    foreach (string row in await QueryAsync(connectionString, "SELECT last_batch, written_by, token FROM payment_state"))
    {
        Console.WriteLine($"  payment_state: {row}");
    }

    Console.WriteLine($"  fence 'payments': highest token 0x{await payments.GetHighestTokenAsync(ct):x}");
    bool dbOk = (await QueryAsync(connectionString, "SELECT written_by FROM payment_state")).SequenceEqual(["worker-2"]);
    Console.WriteLine(refused && zkRefused && dbOk && lockOk
        ? "OK: the stale leader's and the stale lock holder's delayed writes were refused; the database holds only the newer terms' writes."
        : "FAILED: a stale write got through.");
    return refused && zkRefused && dbOk && lockOk ? 0 : 1;
}

async Task<bool> LockDemoAsync(ZooKeeperSession session1, ZooKeeperSession session2, string connectionString, CancellationToken ct)
{
    var inventory = new DbFencedResource(SqliteFactory.Instance, connectionString, "inventory");
    await inventory.EnsureCreatedAsync(ct);
    string lockPath = $"/leader-fencing-demo/lock-{Guid.NewGuid():N}";
    await using var lockA = new DistributedLock(session1, lockPath, new DistributedLockOptions { OwnerId = "worker-1" });
    await using var lockB = new DistributedLock(session2, lockPath, new DistributedLockOptions { OwnerId = "worker-2" });

    DistributedLockHandle heldA = await lockA.AcquireAsync(ct);
    Log($"lock: worker-1 holds {Name(heldA.NodePath)} (the _c_<uuid>-lock- naming of Curator's InterProcessMutex), token 0x{heldA.FencingToken:x}");
    await inventory.WriteAsync(heldA.FencingToken, (w, t) => RecordStockAsync(w, "worker-1", t), ct);
    Task<DistributedLockHandle> waitingB = lockB.AcquireAsync(ct);
    Log("lock: worker-2 waits, watching only worker-1's lock node");
    await heldA.DisposeAsync();
    await using DistributedLockHandle heldB = await waitingB.WaitAsync(ct);
    Log($"lock: worker-1 released; worker-2 holds it with token 0x{heldB.FencingToken:x} and writes");
    await inventory.WriteAsync(heldB.FencingToken, (w, t) => RecordStockAsync(w, "worker-2", t), ct);
    try
    {
        // A holder that believes it still holds (a pause, a lost release) writes with its old token.
        await inventory.WriteAsync(heldA.FencingToken, (w, t) => RecordStockAsync(w, "worker-1 (stale)", t), ct);
        Log("lock: !! worker-1's stale write was applied");
        return false;
    }
    catch (FencedOutException ex)
    {
        Log($"lock: worker-1's late write with token 0x{heldA.FencingToken:x} REFUSED (token 0x{ex.HighestToken:x} already seen)");
        return true;
    }
}

static async Task<int> RecordStockAsync(DbFencedWrite write, string worker, CancellationToken ct)
{
    await using var command = write.CreateCommand(
        "CREATE TABLE IF NOT EXISTS stock_owner (id INTEGER PRIMARY KEY, worker TEXT NOT NULL, token INTEGER NOT NULL); " +
        "INSERT INTO stock_owner (id, worker, token) VALUES (1, @w, @t) ON CONFLICT(id) DO UPDATE SET worker = excluded.worker, token = excluded.token",
        ("w", worker),
        ("t", write.FencingToken));
    return await command.ExecuteNonQueryAsync(ct);
}

static IHost BuildWorker(string id, string connect, TimeSpan sessionTimeout, double presumedExpiryFraction, string electionPath)
{
    var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Services.AddZkTypedState(o =>
    {
        o.ConnectionString = connect;
        o.SessionTimeout = sessionTimeout;
        o.PresumedExpiryFraction = presumedExpiryFraction;
        o.MaxNewSessionDelay = TimeSpan.FromMilliseconds(200);
    });
    builder.Services.AddLeaderElection("payments", o =>
    {
        o.ElectionPath = electionPath;
        o.ParticipantId = id;
    });
    builder.Services.AddHealthChecks().AddLeaderElection("payments");
    return builder.Build();
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
