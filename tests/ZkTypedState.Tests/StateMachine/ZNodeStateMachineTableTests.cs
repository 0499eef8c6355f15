using System.Text;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.StateMachine;

/// <summary>Every status × every input of the node state machine, with the status, notifications and read command that follow.</summary>
public sealed class ZNodeStateMachineTableTests
{
    public enum Input
    {
        Established,
        Disconnected,
        ReconnectedComplete,
        ReconnectedIncomplete,
        LostInvalidate,
        LostServeStale,
        WatchFired,
        ReadNewer,
        ReadSame,
        ReadOlder,
        ReadMissing,
        ReadBad,
        ReadLostConnection,
        ReadAborted,
        ReadFailed,
        OwnWrite,
    }

    private const ReadCommand None = ReadCommand.None;
    private const ReadCommand Start = ReadCommand.Start;
    private const ReadCommand Backoff = ReadCommand.StartAfterBackoff;
    private const ZNodeSignalKind Status = ZNodeSignalKind.StatusChanged;
    private const ZNodeSignalKind Resynced = ZNodeSignalKind.Resynced;
    private const ZNodeSignalKind Lost = ZNodeSignalKind.SessionLost;

    /// <summary>(from, input, to, Changed raised, signal raised, read command, served Count after).</summary>
    private static readonly (ZNodeStatus From, Input Input, ZNodeStatus To, bool Changed, ZNodeSignalKind? Signal, ReadCommand Read, int Value)[] Table =
    [
        (ZNodeStatus.Loading, Input.Established, ZNodeStatus.Loading, false, null, Start, 0),
        (ZNodeStatus.Loading, Input.Disconnected, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReconnectedComplete, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReconnectedIncomplete, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.LostInvalidate, ZNodeStatus.Invalidated, false, Lost, None, 0),
        (ZNodeStatus.Loading, Input.LostServeStale, ZNodeStatus.Loading, false, Lost, None, 0),
        (ZNodeStatus.Loading, Input.WatchFired, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReadNewer, ZNodeStatus.Fresh, true, null, None, 2),
        (ZNodeStatus.Loading, Input.ReadSame, ZNodeStatus.Fresh, true, null, None, 1),
        (ZNodeStatus.Loading, Input.ReadOlder, ZNodeStatus.Fresh, true, null, None, 5),
        (ZNodeStatus.Loading, Input.ReadMissing, ZNodeStatus.Missing, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReadBad, ZNodeStatus.Faulted, false, Status, None, 0),
        (ZNodeStatus.Loading, Input.ReadLostConnection, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReadAborted, ZNodeStatus.Loading, false, null, None, 0),
        (ZNodeStatus.Loading, Input.ReadFailed, ZNodeStatus.Faulted, false, Status, None, 0),
        (ZNodeStatus.Loading, Input.OwnWrite, ZNodeStatus.Loading, false, null, None, 0),

        (ZNodeStatus.Fresh, Input.Established, ZNodeStatus.Stale, false, Status, Start, 1),
        (ZNodeStatus.Fresh, Input.Disconnected, ZNodeStatus.Stale, false, Status, None, 1),
        (ZNodeStatus.Fresh, Input.ReconnectedComplete, ZNodeStatus.Fresh, false, Resynced, None, 1),
        (ZNodeStatus.Fresh, Input.ReconnectedIncomplete, ZNodeStatus.Fresh, false, null, Start, 1),
        (ZNodeStatus.Fresh, Input.LostInvalidate, ZNodeStatus.Invalidated, true, Lost, None, 0),
        (ZNodeStatus.Fresh, Input.LostServeStale, ZNodeStatus.Stale, false, Lost, None, 1),
        (ZNodeStatus.Fresh, Input.WatchFired, ZNodeStatus.Fresh, false, null, Start, 1),
        (ZNodeStatus.Fresh, Input.ReadNewer, ZNodeStatus.Fresh, true, null, None, 2),
        (ZNodeStatus.Fresh, Input.ReadSame, ZNodeStatus.Fresh, false, null, None, 1),
        (ZNodeStatus.Fresh, Input.ReadOlder, ZNodeStatus.Fresh, false, null, Backoff, 1),
        (ZNodeStatus.Fresh, Input.ReadMissing, ZNodeStatus.Missing, true, null, None, 0),
        (ZNodeStatus.Fresh, Input.ReadBad, ZNodeStatus.Faulted, false, Status, None, 1),
        (ZNodeStatus.Fresh, Input.ReadLostConnection, ZNodeStatus.Fresh, false, null, None, 1),
        (ZNodeStatus.Fresh, Input.ReadAborted, ZNodeStatus.Fresh, false, null, None, 1),
        (ZNodeStatus.Fresh, Input.ReadFailed, ZNodeStatus.Faulted, false, Status, None, 1),
        (ZNodeStatus.Fresh, Input.OwnWrite, ZNodeStatus.Fresh, true, null, None, 2),

        (ZNodeStatus.Stale, Input.Established, ZNodeStatus.Stale, false, null, Start, 1),
        (ZNodeStatus.Stale, Input.Disconnected, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReconnectedComplete, ZNodeStatus.Fresh, false, Resynced, None, 1),
        (ZNodeStatus.Stale, Input.ReconnectedIncomplete, ZNodeStatus.Stale, false, null, Start, 1),
        (ZNodeStatus.Stale, Input.LostInvalidate, ZNodeStatus.Invalidated, true, Lost, None, 0),
        (ZNodeStatus.Stale, Input.LostServeStale, ZNodeStatus.Stale, false, Lost, None, 1),
        (ZNodeStatus.Stale, Input.WatchFired, ZNodeStatus.Stale, false, null, Start, 1),
        // Disconnected: an answer is parked until the re-attach (ZNodeStateMachineParkedReadTests), nothing changes.
        (ZNodeStatus.Stale, Input.ReadNewer, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadSame, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadOlder, ZNodeStatus.Stale, false, null, Backoff, 1),
        (ZNodeStatus.Stale, Input.ReadMissing, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadBad, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadLostConnection, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadAborted, ZNodeStatus.Stale, false, null, None, 1),
        (ZNodeStatus.Stale, Input.ReadFailed, ZNodeStatus.Faulted, false, Status, None, 1),
        (ZNodeStatus.Stale, Input.OwnWrite, ZNodeStatus.Stale, true, null, None, 2),

        (ZNodeStatus.Missing, Input.Established, ZNodeStatus.Stale, false, Status, Start, 0),
        (ZNodeStatus.Missing, Input.Disconnected, ZNodeStatus.Stale, false, Status, None, 0),
        (ZNodeStatus.Missing, Input.ReconnectedComplete, ZNodeStatus.Missing, false, Resynced, None, 0),
        (ZNodeStatus.Missing, Input.ReconnectedIncomplete, ZNodeStatus.Missing, false, null, Start, 0),
        (ZNodeStatus.Missing, Input.LostInvalidate, ZNodeStatus.Invalidated, false, Lost, None, 0),
        (ZNodeStatus.Missing, Input.LostServeStale, ZNodeStatus.Stale, false, Lost, None, 0),
        (ZNodeStatus.Missing, Input.WatchFired, ZNodeStatus.Missing, false, null, Start, 0),
        (ZNodeStatus.Missing, Input.ReadNewer, ZNodeStatus.Fresh, true, null, None, 2),
        (ZNodeStatus.Missing, Input.ReadSame, ZNodeStatus.Missing, false, null, None, 0),
        (ZNodeStatus.Missing, Input.ReadOlder, ZNodeStatus.Missing, false, null, Backoff, 0),
        (ZNodeStatus.Missing, Input.ReadMissing, ZNodeStatus.Missing, false, null, None, 0),
        (ZNodeStatus.Missing, Input.ReadBad, ZNodeStatus.Faulted, false, Status, None, 0),
        (ZNodeStatus.Missing, Input.ReadLostConnection, ZNodeStatus.Missing, false, null, None, 0),
        (ZNodeStatus.Missing, Input.ReadAborted, ZNodeStatus.Missing, false, null, None, 0),
        (ZNodeStatus.Missing, Input.ReadFailed, ZNodeStatus.Faulted, false, Status, None, 0),
        (ZNodeStatus.Missing, Input.OwnWrite, ZNodeStatus.Fresh, true, null, None, 2),

        (ZNodeStatus.Faulted, Input.Established, ZNodeStatus.Faulted, false, null, Start, 1),
        (ZNodeStatus.Faulted, Input.Disconnected, ZNodeStatus.Faulted, false, null, None, 1),
        (ZNodeStatus.Faulted, Input.ReconnectedComplete, ZNodeStatus.Faulted, false, Resynced, None, 1),
        (ZNodeStatus.Faulted, Input.ReconnectedIncomplete, ZNodeStatus.Faulted, false, null, Start, 1),
        (ZNodeStatus.Faulted, Input.LostInvalidate, ZNodeStatus.Invalidated, true, Lost, None, 0),
        (ZNodeStatus.Faulted, Input.LostServeStale, ZNodeStatus.Faulted, false, Lost, None, 1),
        (ZNodeStatus.Faulted, Input.WatchFired, ZNodeStatus.Faulted, false, null, Start, 1),
        (ZNodeStatus.Faulted, Input.ReadNewer, ZNodeStatus.Fresh, true, null, None, 2),
        (ZNodeStatus.Faulted, Input.ReadSame, ZNodeStatus.Faulted, false, null, None, 1),
        (ZNodeStatus.Faulted, Input.ReadOlder, ZNodeStatus.Faulted, false, null, Backoff, 1),
        (ZNodeStatus.Faulted, Input.ReadMissing, ZNodeStatus.Missing, true, null, None, 0),
        (ZNodeStatus.Faulted, Input.ReadBad, ZNodeStatus.Faulted, false, Status, None, 1),
        (ZNodeStatus.Faulted, Input.ReadLostConnection, ZNodeStatus.Faulted, false, null, None, 1),
        (ZNodeStatus.Faulted, Input.ReadAborted, ZNodeStatus.Faulted, false, null, None, 1),
        (ZNodeStatus.Faulted, Input.ReadFailed, ZNodeStatus.Faulted, false, Status, None, 1),
        (ZNodeStatus.Faulted, Input.OwnWrite, ZNodeStatus.Fresh, true, null, None, 2),

        // Invalidated: the lost session's epoch is gone, so nothing of it is applied; only a new session moves it.
        (ZNodeStatus.Invalidated, Input.Established, ZNodeStatus.Invalidated, false, null, Start, 0),
        (ZNodeStatus.Invalidated, Input.Disconnected, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReconnectedComplete, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReconnectedIncomplete, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.LostInvalidate, ZNodeStatus.Invalidated, false, Lost, None, 0),
        (ZNodeStatus.Invalidated, Input.LostServeStale, ZNodeStatus.Stale, true, Lost, None, 1),
        (ZNodeStatus.Invalidated, Input.WatchFired, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadNewer, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadSame, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadOlder, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadMissing, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadBad, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadLostConnection, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadAborted, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.ReadFailed, ZNodeStatus.Invalidated, false, null, None, 0),
        (ZNodeStatus.Invalidated, Input.OwnWrite, ZNodeStatus.Invalidated, false, null, None, 0),
    ];

    public static TheoryData<ZNodeStatus, Input> Pairs()
    {
        var data = new TheoryData<ZNodeStatus, Input>();
        foreach ((ZNodeStatus from, Input input, _, _, _, _, _) in Table)
        {
            data.Add(from, input);
        }

        return data;
    }

    [Fact]
    public void The_table_covers_every_status_and_every_input_exactly_once()
    {
        var expected = (from s in Enum.GetValues<ZNodeStatus>() from i in Enum.GetValues<Input>() select (s, i)).ToHashSet();
        var covered = Table.Select(r => (r.From, r.Input)).ToList();
        Assert.Equal(expected.Count, covered.Count);
        Assert.True(expected.SetEquals(covered));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Each_status_and_input_gives_the_tabled_status_notifications_and_read(ZNodeStatus from, Input input)
    {
        var row = Table.Single(r => r.From == from && r.Input == input);
        MachineDriver d = MachineDriver.In(from);
        Assert.Equal(from, d.Machine.Snapshot.Status);
        ZNodeSnapshot<Counter> before = d.Machine.Snapshot;

        ZNodeStep<Counter> step = Apply(d, from, input);

        Assert.Equal(row.To, step.Snapshot.Status);
        Assert.Same(step.Snapshot, d.Machine.Snapshot);
        Assert.Equal(row.Value, step.Snapshot.Value.Count);
        Assert.Equal(row.Changed, step.Change is not null);
        Assert.Equal(row.Signal, step.Signal?.Kind);
        Assert.Equal(row.Read, step.Read);
        if (step.Change is { } change)
        {
            // A change is exactly the move from the previous snapshot to the new one, and the value differs.
            Assert.Same(before, change.Previous);
            Assert.Same(step.Snapshot, change.Current);
            Assert.NotEqual(change.Previous.Value, change.Current.Value);
        }
        else
        {
            Assert.Equal(before.Value, step.Snapshot.Value);
        }

        AssertConsistent(step.Snapshot);
    }

    /// <summary>What any published snapshot must satisfy: the value and the Stat it carries belong together.</summary>
    internal static void AssertConsistent(ZNodeSnapshot<Counter> s)
    {
        switch (s.Status)
        {
            case ZNodeStatus.Loading or ZNodeStatus.Missing or ZNodeStatus.Invalidated:
                Assert.Equal(new Counter(), s.Value);
                Assert.Null(s.Stat);
                break;
            case ZNodeStatus.Fresh:
                Assert.NotNull(s.Stat);
                break;
        }

        if (s.Status != ZNodeStatus.Faulted)
        {
            Assert.Null(s.RejectedStat);
        }

        if (s.Stat is { } stat)
        {
            // Test payloads at mzxid m carry a count the drivers chose for m: check the pairing.
            Assert.Equal(ExpectedCount(stat.Mzxid), s.Value.Count);
        }
    }

    private static int ExpectedCount(long mzxid) => mzxid switch
    {
        5 => 5,
        10 => 1,
        30 => 2,
        _ => throw new Xunit.Sdk.XunitException($"no payload at mzxid {mzxid}"),
    };

    private static ZNodeStep<Counter> Apply(MachineDriver d, ZNodeStatus from, Input input)
    {
        ZNodeStateMachine<Counter> m = d.Machine;
        return input switch
        {
            Input.Established => d.Establish(d.Epoch + 1),
            Input.Disconnected => m.Disconnected(),
            Input.ReconnectedComplete => m.Reconnected(d.Epoch, watchesComplete: true),
            Input.ReconnectedIncomplete => m.Reconnected(d.Epoch, watchesComplete: false),
            Input.LostInvalidate => d.Lose(SessionLossPolicy.InvalidateAndRebuild),
            Input.LostServeStale => d.Lose(SessionLossPolicy.ServeStaleAndRebuild),
            Input.WatchFired => d.Watch(),
            Input.ReadNewer => d.Read(MachineDriver.Data(2, 30)),
            Input.ReadSame => d.Read(from switch
            {
                ZNodeStatus.Missing => MachineDriver.Missing(15),
                ZNodeStatus.Faulted => MachineDriver.Data(Encoding.UTF8.GetBytes("["), 20, 25),
                _ => MachineDriver.Data(1, 10, 15),
            }),
            Input.ReadOlder => d.Read(MachineDriver.Data(5, 5)),
            Input.ReadMissing => d.Read(MachineDriver.Missing(30)),
            Input.ReadBad => d.Read(MachineDriver.Data(Encoding.UTF8.GetBytes("{"), 30)),
            Input.ReadLostConnection => m.ReadLostConnection(d.Ticket),
            Input.ReadAborted => m.ReadAborted(d.Ticket),
            Input.ReadFailed => m.ReadFailed(d.Ticket, new NoAuthException("/sm", "no read permission")),
            Input.OwnWrite => m.OwnWrite(d.Epoch, MachineDriver.Json(2), MachineDriver.StatAt(30), d.Generation),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };
    }
}
