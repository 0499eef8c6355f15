using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.StateMachine;

/// <summary>
/// No value changes between the app's Disconnected and Reconnected: an answer that arrives while the node has taken in
/// a disconnection (it may come from the next connection before the runtime has heard of the re-attach) is parked and
/// applied once the re-attach is taken in — by the runtime's pass or by the node catching up, whichever comes first.
/// </summary>
public sealed class ZNodeStateMachineParkedReadTests
{
    [Fact]
    public void An_answer_while_disconnected_changes_nothing_and_is_applied_with_the_re_attach()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected(1);
        d.Watch();

        ZNodeStep<Counter> parked = d.Read(MachineDriver.Data(2, 30));
        Assert.Null(parked.Change);
        Assert.Null(parked.Signal);
        Assert.Equal(ReadCommand.None, parked.Read);
        Assert.Equal(1, parked.Snapshot.Value.Count);
        Assert.Equal(ZNodeStatus.Stale, parked.Snapshot.Status);
        Assert.True(d.Machine.IsReading);
        Assert.False(d.Machine.TakeParked(out _, out _));

        ZNodeStep<Counter> back = d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 1);
        Assert.Null(back.Signal);
        Assert.True(d.Machine.TakeParked(out ReadTicket ticket, out var result));
        ZNodeStep<Counter> applied = d.Machine.ReadSucceeded(ticket, result, d.Generation);

        Assert.Equal(ZNodeStatus.Fresh, applied.Snapshot.Status);
        Assert.Equal(2, applied.Snapshot.Value.Count);
        Assert.Equal(1, applied.Change?.Previous.Value.Count);
        Assert.Equal(ZNodeSignalKind.Resynced, applied.Signal?.Kind);
        Assert.False(d.Machine.IsReading);
        Assert.False(d.Machine.TakeParked(out _, out _));
    }

    [Fact]
    public void A_first_answer_while_disconnected_leaves_the_node_loading_until_the_re_attach()
    {
        MachineDriver d = MachineDriver.Loading();
        d.Machine.Disconnected(1);

        Assert.Equal(ZNodeStatus.Loading, d.Read(MachineDriver.Data(1, 10)).Snapshot.Status);
        Assert.False(d.Machine.IsLoaded);

        d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 1);
        Assert.True(d.Machine.TakeParked(out ReadTicket ticket, out var result));
        ZNodeStep<Counter> applied = d.Machine.ReadSucceeded(ticket, result, d.Generation);
        Assert.Equal(ZNodeStatus.Fresh, applied.Snapshot.Status);
        Assert.True(d.Machine.IsLoaded);
    }

    [Fact]
    public void A_watch_during_the_parked_answer_reads_again_once_it_is_applied()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected(1);
        d.Watch();
        d.Read(MachineDriver.Data(2, 30));

        // Coalesced behind the read still in progress: no second read while one is parked.
        Assert.Equal(ReadCommand.None, d.Watch().Read);
        d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 1);
        Assert.True(d.Machine.TakeParked(out ReadTicket ticket, out var result));

        Assert.Equal(ReadCommand.Start, d.Machine.ReadSucceeded(ticket, result, d.Generation).Read);
    }

    [Fact]
    public void The_same_re_attach_taken_in_twice_acts_once()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected(2);

        ZNodeStep<Counter> first = d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 2);
        ZNodeStep<Counter> again = d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 2);

        Assert.Equal(ZNodeSignalKind.Resynced, first.Signal?.Kind);
        Assert.Equal(ZNodeStatus.Fresh, first.Snapshot.Status);
        Assert.Null(again.Signal);
        Assert.Equal(ReadCommand.None, again.Read);
    }

    [Fact]
    public void A_re_attach_with_watches_missing_re_reads_a_node_that_never_took_in_the_disconnection()
    {
        MachineDriver d = MachineDriver.Fresh();

        // Only the runtime heard disconnection 3; this node is still connected by its own count.
        Assert.Equal(ReadCommand.Start, d.Machine.Reconnected(d.Epoch, watchesComplete: false, connection: 3).Read);
        Assert.Equal(ReadCommand.None, d.Machine.Reconnected(d.Epoch, watchesComplete: false, connection: 3).Read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_parked_answer_is_dropped_with_its_session(bool lost)
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected(1);
        d.Watch();
        d.Read(MachineDriver.Data(2, 30));

        if (lost)
        {
            d.Lose();
        }
        else
        {
            d.Establish(d.Epoch + 1, connected: false);
        }

        d.Machine.Reconnected(d.Epoch, watchesComplete: true, connection: 1);
        Assert.False(d.Machine.TakeParked(out _, out _));
        Assert.NotEqual(2, d.Machine.Snapshot.Value.Count);
    }
}
