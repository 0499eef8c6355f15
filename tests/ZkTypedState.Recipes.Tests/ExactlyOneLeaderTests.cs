using System.Collections.Concurrent;
using Xunit.Abstractions;
using ZkTypedState.Recipes.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Recipes.Tests;

/// <summary>
/// Five participants, leaders killed (session closed) or frozen (blackholed past the session timeout) one after
/// another. Every leader writes its term to a fenced table for as long as the table accepts it, ignoring what it
/// believes locally: the table must show the terms one after the other, never interleaved.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ExactlyOneLeaderTests(ZooKeeperFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Terms_never_interleave_in_a_fenced_table_while_leaders_are_killed_and_frozen()
    {
        using var db = new SqliteDatabase();
        DbFencedResource resource = db.Resource("terms");
        await resource.EnsureCreatedAsync();
        await db.ExecuteAsync("CREATE TABLE term_log (id INTEGER PRIMARY KEY AUTOINCREMENT, token INTEGER NOT NULL, participant TEXT NOT NULL)");

        string path = ZooKeeperFixture.UniquePath("five");
        var participants = new List<Worker>();
        var newTerms = System.Threading.Channels.Channel.CreateUnbounded<(Worker Worker, LeaderTerm Term)>();
        var fencedOut = new ConcurrentBag<(string Participant, long Token)>();
        int next = 0;

        async Task<Worker> AddAsync()
        {
            string name = $"p{next++}";
            FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server);

            // Frozen participants run no timers: they learn of their expiry from the server when they wake.
            ZooKeeperSession session = await ZooKeeperFixture.StartSessionAsync(proxy.ConnectionString, TimeSpan.FromMilliseconds(1000), presumedExpiryFraction: 10);
            var election = new LeaderElection(session, path, new LeaderElectionOptions { ParticipantId = name });
            var worker = new Worker(name, proxy, session, election, new CancellationTokenSource());
            election.Acquired += acquired =>
            {
                if (!acquired.Resumed)
                {
                    worker.Writers.Add(Task.Run(() => WriteWhileAcceptedAsync(worker, acquired.Term)));
                    newTerms.Writer.TryWrite((worker, acquired.Term));
                }
            };
            participants.Add(worker);
            await election.StartAsync();
            return worker;
        }

        async Task WriteWhileAcceptedAsync(Worker worker, LeaderTerm term)
        {
            try
            {
                while (!worker.Stop.IsCancellationRequested)
                {
                    await resource.WriteAsync(term.FencingToken, async (write, ct) =>
                    {
                        await using var insert = write.CreateCommand("INSERT INTO term_log (token, participant) VALUES (@t, @p)", ("t", term.FencingToken), ("p", worker.Name));
                        await insert.ExecuteNonQueryAsync(ct);
                    });
                    await Task.Delay(5, worker.Stop.Token);
                }
            }
            catch (FencedOutException)
            {
                fencedOut.Add((worker.Name, term.FencingToken));
            }
            catch (OperationCanceledException)
            {
            }
        }

        try
        {
            for (int i = 0; i < 5; i++)
            {
                await AddAsync();
            }

            for (int round = 0; round < 8; round++)
            {
                using var timeout = new CancellationTokenSource(Timeouts.Event);
                (Worker leader, LeaderTerm term) = await newTerms.Reader.ReadAsync(timeout.Token);
                await WaitForRowsAsync(db, term.FencingToken, 3, timeout.Token);
                if (round % 2 == 0)
                {
                    // Killed: its session is closed (its writer is stopped with it, as a crashed process would be).
                    await leader.Stop.CancelAsync();
                    await leader.Session.DisposeAsync();
                    await leader.Election.DisposeAsync();
                    await AddAsync();
                }
                else
                {
                    // Frozen: its connection is silent past the session timeout; its writer keeps going, unaware.
                    leader.Proxy.Blackhole();
                    (Worker successor, LeaderTerm successorTerm) = await newTerms.Reader.ReadAsync(timeout.Token);
                    await WaitForRowsAsync(db, successorTerm.FencingToken, 3, timeout.Token);

                    // The frozen leader's writer stops only when the table refuses it.
                    await Task.WhenAll(leader.Writers).WaitAsync(timeout.Token);
                    leader.Proxy.Restore();

                    // The successor goes on as the next round's leader.
                    newTerms.Writer.TryWrite((successor, successorTerm));
                }
            }

            List<(long Token, string Participant)> rows = await db.QueryAsync("SELECT token, participant FROM term_log ORDER BY id", r => (r.GetInt64(0), r.GetString(1)));
            List<long> order = rows.Select(r => r.Token).Distinct().ToList();
            output.WriteLine($"{rows.Count} rows from {order.Count} terms; fenced out: {string.Join(", ", fencedOut.Select(f => $"{f.Participant}@0x{f.Token:x}"))}");
            for (int i = 1; i < rows.Count; i++)
            {
                Assert.True(rows[i].Token >= rows[i - 1].Token, $"row {i}: term 0x{rows[i].Token:x} written after term 0x{rows[i - 1].Token:x}");
            }

            Assert.Equal(order, order.Order().ToList());
            Assert.True(order.Count >= 8, $"expected at least 8 terms in the table, saw {order.Count}");

            // Every frozen leader kept writing until the successor's first write fenced it out.
            Assert.True(fencedOut.Count >= 4, $"expected the 4 frozen leaders to be fenced out, saw {fencedOut.Count}");
        }
        finally
        {
            foreach (Worker worker in participants)
            {
                await worker.Stop.CancelAsync();
                await worker.Election.DisposeAsync();
                await worker.Session.DisposeAsync();
                await worker.Proxy.DisposeAsync();
                try
                {
                    await Task.WhenAll(worker.Writers);
                }
                catch (Exception ex)
                {
                    output.WriteLine($"{worker.Name}'s writer ended with {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }

    private static async Task WaitForRowsAsync(SqliteDatabase db, long token, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            List<long> rows = await db.QueryAsync($"SELECT COUNT(*) FROM term_log WHERE token = {token}", r => r.GetInt64(0));
            if (rows[0] >= count)
            {
                return;
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private sealed record Worker(string Name, FaultProxy Proxy, ZooKeeperSession Session, LeaderElection Election, CancellationTokenSource Stop)
    {
        public ConcurrentBag<Task> Writers { get; } = [];
    }
}
