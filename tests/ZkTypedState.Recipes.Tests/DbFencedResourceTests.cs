using Microsoft.Data.Sqlite;
using ZkTypedState.Recipes.Tests.Support;

namespace ZkTypedState.Recipes.Tests;

/// <summary>The ADO.NET fenced resource, on SQLite files.</summary>
public sealed class DbFencedResourceTests : IAsyncLifetime
{
    private readonly SqliteDatabase _db = new();
    private DbFencedResource _resource = null!;

    public async Task InitializeAsync()
    {
        _resource = _db.Resource("ledger");
        await _resource.EnsureCreatedAsync();
        await _db.ExecuteAsync("CREATE TABLE entries (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, token INTEGER NOT NULL)");
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_lower_token_is_refused_and_changes_nothing_equal_and_higher_are_accepted()
    {
        Assert.Null(await _resource.GetHighestTokenAsync());
        await AppendAsync(100, "first");
        await AppendAsync(100, "same term again");
        await AppendAsync(250, "newer term");

        FencedOutException refused = await Assert.ThrowsAsync<FencedOutException>(() => AppendAsync(100, "stale"));
        Assert.Equal(100, refused.Token);
        Assert.Equal(250, refused.HighestToken);
        Assert.Equal("ledger", refused.Resource);
        Assert.Contains("0xfa", refused.Message, StringComparison.Ordinal);

        await AppendAsync(250, "newer term again");
        Assert.Equal(250, await _resource.GetHighestTokenAsync());
        Assert.Equal(
            [("first", 100L), ("same term again", 100L), ("newer term", 250L), ("newer term again", 250L)],
            await _db.QueryAsync("SELECT text, token FROM entries ORDER BY id", r => (r.GetString(0), r.GetInt64(1))));
    }

    [Fact]
    public async Task A_failing_guarded_write_leaves_the_fence_and_the_data_unchanged()
    {
        await AppendAsync(10, "before");
        await Assert.ThrowsAsync<SqliteException>(() => _resource.WriteAsync(20, async (write, ct) =>
        {
            await using (var ok = write.CreateCommand("INSERT INTO entries (text, token) VALUES ('half', @t)", ("t", write.FencingToken)))
            {
                await ok.ExecuteNonQueryAsync(ct);
            }

            await using var broken = write.CreateCommand("INSERT INTO no_such_table VALUES (1)");
            await broken.ExecuteNonQueryAsync(ct);
        }));

        // The token 20 was never recorded: 15 is still accepted, and the half-done insert was rolled back.
        Assert.Equal(10, await _resource.GetHighestTokenAsync());
        await AppendAsync(15, "after");
        Assert.Equal(["before", "after"], await _db.QueryAsync("SELECT text FROM entries ORDER BY id", r => r.GetString(0)));

        // An exception thrown by the write itself rolls back too.
        await Assert.ThrowsAsync<InvalidOperationException>(() => _resource.WriteAsync(30, (_, _) => Task.FromException<int>(new InvalidOperationException("app failure"))));
        Assert.Equal(15, await _resource.GetHighestTokenAsync());
    }

    [Fact]
    public async Task Resources_are_fenced_independently_and_a_missing_row_is_created_by_the_first_write()
    {
        var other = _db.Resource("other");
        await AppendAsync(500, "ledger");
        await other.WriteAsync(7, async (write, ct) =>
        {
            await using var command = write.CreateCommand("INSERT INTO entries (text, token) VALUES ('other', @t)", ("t", write.FencingToken));
            await command.ExecuteNonQueryAsync(ct);
        });
        Assert.Equal(7, await other.GetHighestTokenAsync());
        Assert.Equal(500, await _resource.GetHighestTokenAsync());
        await Assert.ThrowsAsync<FencedOutException>(() => other.WriteAsync(6, (_, _) => Task.FromResult(0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => other.WriteAsync(-1, (_, _) => Task.FromResult(0)));
    }

    [Fact]
    public async Task Concurrent_writers_with_interleaved_tokens_never_commit_a_lower_token_after_a_higher_one()
    {
        // 4 writers, each with its own token, racing: the committed rows, in commit order, never go down in token.
        long[] tokens = [3, 1, 4, 2];
        var outcomes = await Task.WhenAll(tokens.Select(token => Task.Run(async () =>
        {
            int committed = 0;
            for (int i = 0; i < 10; i++)
            {
                try
                {
                    await AppendAsync(token, $"w{token}-{i}");
                    committed++;
                }
                catch (FencedOutException)
                {
                }
            }

            return (token, committed);
        })));

        List<long> order = await _db.QueryAsync("SELECT token FROM entries ORDER BY id", r => r.GetInt64(0));
        Assert.NotEmpty(order);
        for (int i = 1; i < order.Count; i++)
        {
            Assert.True(order[i] >= order[i - 1], $"row {i}: token {order[i]} committed after {order[i - 1]}");
        }

        Assert.Equal(order.Count, outcomes.Sum(o => o.committed));
        Assert.Equal(order[^1], await _resource.GetHighestTokenAsync());
    }

    [Fact]
    public async Task An_existing_schema_with_its_own_table_and_columns_is_fenced_and_the_previous_token_is_exposed()
    {
        // A team's existing table: one row per job, its "epoch" column is the fence.
        await _db.ExecuteAsync("CREATE TABLE job_leases (job_name TEXT PRIMARY KEY, owner TEXT, epoch INTEGER NOT NULL)");
        await _db.ExecuteAsync("INSERT INTO job_leases (job_name, owner, epoch) VALUES ('nightly', 'nobody', 0)");
        var jobs = new DbFencedResource(SqliteFactory.Instance, _db.ConnectionString, "nightly", new DbFencedResourceOptions
        {
            TableName = "job_leases",
            ResourceColumn = "job_name",
            TokenColumn = "epoch",
        });
        var seen = new List<(long? Previous, bool First)>();
        Task WriteAsync(long token) => jobs.WriteAsync(token, async (write, ct) =>
        {
            seen.Add((write.PreviousHighestToken, write.IsFirstOfTerm));
            await using var command = write.CreateCommand("UPDATE job_leases SET owner = @o WHERE job_name = 'nightly'", ("o", $"term-{write.FencingToken}"));
            await command.ExecuteNonQueryAsync(ct);
        });

        await WriteAsync(40);
        await WriteAsync(40);
        await WriteAsync(90);
        await Assert.ThrowsAsync<FencedOutException>(() => WriteAsync(40));
        Assert.Equal([(0L, true), (40L, false), (40L, true)], seen.Select(s => ((long)s.Previous!, s.First)));
        Assert.Equal([("term-90", 90L)], await _db.QueryAsync("SELECT owner, epoch FROM job_leases", r => (r.GetString(0), r.GetInt64(1))));
        Assert.Equal(90, await jobs.GetHighestTokenAsync());

        // The first write of a resource without a row sees no previous token.
        await AppendAsync(5, "first");
        var fresh = _db.Resource("fresh");
        long? previous = 123;
        await fresh.WriteAsync(1, (write, _) => Task.FromResult(previous = write.PreviousHighestToken));
        Assert.Null(previous);
    }

    [Fact]
    public async Task A_refused_write_is_logged_by_the_hook_inside_the_transaction_and_the_guarded_write_never_runs()
    {
        await _db.ExecuteAsync("CREATE TABLE fence_audit (resource TEXT, attempted INTEGER, highest INTEGER, at_count INTEGER)");
        var refusals = new List<DbFencedRefusal>();
        var audited = new DbFencedResource(SqliteFactory.Instance, _db.ConnectionString, "ledger", new DbFencedResourceOptions
        {
            OnRefused = async (refusal, ct) =>
            {
                refusals.Add(refusal);

                // Inside the fenced transaction, under the row lock: the entries count it reads is the one the refusal decided on.
                await using var command = refusal.CreateCommand(
                    "INSERT INTO fence_audit VALUES (@r, @a, @h, (SELECT COUNT(*) FROM entries))",
                    ("r", refusal.ResourceName),
                    ("a", refusal.AttemptedToken),
                    ("h", refusal.HighestToken));
                await command.ExecuteNonQueryAsync(ct);
            },
        });
        await AppendAsync(300, "current term");
        bool ran = false;
        FencedOutException refused = await Assert.ThrowsAsync<FencedOutException>(() => audited.WriteAsync(200, (_, _) => Task.FromResult(ran = true)));
        Assert.False(ran);
        Assert.Equal((200L, 300L), (refused.Token, (long)refused.HighestToken!));
        Assert.Equal([("ledger", 200L, 300L, 1L)], await _db.QueryAsync("SELECT resource, attempted, highest, at_count FROM fence_audit", r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))));
        Assert.Equal(300, await audited.GetHighestTokenAsync());
        Assert.Single(refusals);

        // A hook that throws rolls its rows back; the caller sees the hook's exception.
        var failing = new DbFencedResource(SqliteFactory.Instance, _db.ConnectionString, "ledger", new DbFencedResourceOptions
        {
            OnRefused = async (refusal, ct) =>
            {
                await using var command = refusal.CreateCommand("INSERT INTO fence_audit VALUES ('x', 0, 0, 0)");
                await command.ExecuteNonQueryAsync(ct);
                throw new InvalidOperationException("audit failed");
            },
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WriteAsync(1, (_, _) => Task.FromResult(0)));
        Assert.Single(await _db.QueryAsync("SELECT resource FROM fence_audit", r => r.GetString(0)));
    }

    [Theory]
    [InlineData("TableName", "zk_fence; DROP TABLE x")]
    [InlineData("ResourceColumn", "name with space")]
    [InlineData("TokenColumn", "")]
    public void Unsafe_identifiers_are_refused_with_the_setting_named(string setting, string value)
    {
        var options = new DbFencedResourceOptions();
        typeof(DbFencedResourceOptions).GetProperty(setting)!.SetValue(options, value);
        ArgumentException error = Assert.Throws<ArgumentException>(() => new DbFencedResource(SqliteFactory.Instance, _db.ConnectionString, "r", options));
        Assert.Contains(setting, error.Message);
    }

    private Task AppendAsync(long token, string text) => _resource.WriteAsync(token, async (write, ct) =>
    {
        await using var command = write.CreateCommand("INSERT INTO entries (text, token) VALUES (@x, @t)", ("x", text), ("t", write.FencingToken));
        await command.ExecuteNonQueryAsync(ct);
    });
}
