using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.StateMachine;

/// <summary>
/// A node the runtime did not tell of a disconnection (no subscribers, nothing to do) catches up with the runtime's
/// connection count before its next input, and then acts exactly as a node that was told.
/// </summary>
public sealed class ZNodeStateMachineConnectionTests
{
    [Fact]
    public void A_read_lost_after_an_untold_disconnect_and_reconnect_re_reads_at_once()
    {
        MachineDriver d = MachineDriver.Fresh();
        Assert.Equal(ReadCommand.Start, d.Watch().Read);
        ReadTicket inFlight = d.Ticket;

        // The runtime went through disconnection 1 and is re-attached; this node heard nothing of it.
        d.Machine.CatchUpConnection(1);
        ZNodeStep<Counter> lost = d.Machine.ReadLostConnection(inFlight);

        Assert.Equal(ReadCommand.Start, lost.Read);
        Assert.False(d.Machine.ReadAfterReconnect);
    }

    [Fact]
    public void A_read_lost_while_the_runtime_still_counts_the_same_connection_waits_for_the_re_attach()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        d.Machine.CatchUpConnection(0);

        Assert.Equal(ReadCommand.None, d.Machine.ReadLostConnection(d.Ticket).Read);
        Assert.True(d.Machine.ReadAfterReconnect);
    }

    [Fact]
    public void Taking_in_the_same_disconnection_twice_publishes_and_signals_once()
    {
        MachineDriver d = MachineDriver.Fresh();
        ZNodeStep<Counter> first = d.Machine.Disconnected(3);
        ZNodeStep<Counter> again = d.Machine.Disconnected(3);

        Assert.Equal(ZNodeStatus.Stale, first.Snapshot.Status);
        Assert.Equal(ZNodeSignalKind.StatusChanged, first.Signal?.Kind);
        Assert.Null(again.Signal);
        Assert.Null(again.Change);
        Assert.Equal(3, d.Machine.Connection);
        Assert.False(d.Machine.Connected);
    }

    [Fact]
    public void Connection_counts_never_go_back_so_tickets_compare_across_sessions()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.CatchUpConnection(5);
        d.Machine.CatchUpConnection(2);
        Assert.Equal(5, d.Machine.Connection);
        d.Machine.Disconnected(6);
        Assert.Equal(6, d.Machine.Connection);
    }
}
