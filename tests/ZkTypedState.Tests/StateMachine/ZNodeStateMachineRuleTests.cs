using System.Text;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.StateMachine;

/// <summary>The ordering rules and the race orders of the node state machine, with no server.</summary>
public sealed class ZNodeStateMachineRuleTests
{
    [Fact]
    public void Reconnect_handled_before_the_connection_loss_of_a_read_in_flight_re_reads_at_once_and_resyncs()
    {
        MachineDriver d = MachineDriver.Fresh();
        Assert.Equal(ReadCommand.Start, d.Watch().Read);
        ReadTicket inFlight = d.Ticket;
        d.Machine.Disconnected();
        Assert.Equal(ReadCommand.None, d.Machine.Reconnected(1, watchesComplete: true).Read);

        // The read's ConnectionLoss arrives only now: the session is already back, so it must not wait for another reconnect.
        ZNodeStep<Counter> lost = d.Machine.ReadLostConnection(inFlight);
        Assert.Equal(ReadCommand.Start, lost.Read);
        d.Ticket = d.Machine.TicketFor(1);
        ZNodeStep<Counter> reread = d.Read(MachineDriver.Data(2, 30));

        Assert.Equal(ZNodeStatus.Fresh, reread.Snapshot.Status);
        Assert.Equal(ZNodeSignalKind.Resynced, reread.Signal?.Kind);
        Assert.NotNull(reread.Change);
        Assert.False(d.Machine.IsReading);
    }

    [Fact]
    public void Connection_loss_seen_before_the_disconnect_is_told_re_reads_after_the_reconnect()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        Assert.Equal(ReadCommand.None, d.Machine.ReadLostConnection(d.Ticket).Read);
        Assert.False(d.Machine.IsReading);
        d.Machine.Disconnected();
        ZNodeStep<Counter> back = d.Machine.Reconnected(1, watchesComplete: true);

        Assert.Equal(ReadCommand.Start, back.Read);
        Assert.Equal(ZNodeStatus.Stale, back.Snapshot.Status);
        d.Ticket = d.Machine.TicketFor(1);
        ZNodeStep<Counter> reread = d.Read(MachineDriver.Data(1, 10, 40));
        Assert.Equal(ZNodeStatus.Fresh, reread.Snapshot.Status);
        Assert.Equal(ZNodeSignalKind.Resynced, reread.Signal?.Kind);
        Assert.Null(reread.Change);
    }

    [Fact]
    public void A_catch_up_read_in_flight_at_the_reconnect_signals_resynced_only_once_it_is_applied()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected();
        d.Watch();
        ZNodeStep<Counter> back = d.Machine.Reconnected(1, watchesComplete: true);
        Assert.Null(back.Signal);
        Assert.Equal(ZNodeStatus.Stale, back.Snapshot.Status);

        ZNodeStep<Counter> applied = d.Read(MachineDriver.Data(2, 30));
        Assert.Equal(ZNodeSignalKind.Resynced, applied.Signal?.Kind);
        Assert.Equal(2, applied.Snapshot.Value.Count);
    }

    [Fact]
    public void A_read_of_a_session_known_lost_is_dropped_before_the_node_is_told()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        d.Generation++;
        ZNodeStep<Counter> late = d.Read(MachineDriver.Data(2, 30));
        Assert.Null(late.Change);
        Assert.Equal(1, d.Machine.Snapshot.Value.Count);
        Assert.Equal(ReadCommand.None, late.Read);
    }

    [Fact]
    public void Reads_of_an_earlier_epoch_are_never_applied_in_the_next_session()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        ReadTicket old = d.Ticket;
        d.Lose();
        d.Establish(2);
        ZNodeStep<Counter> stale = d.Machine.ReadSucceeded(old, MachineDriver.Data(2, 30), d.Generation);
        Assert.Null(stale.Change);
        Assert.Equal(ZNodeStatus.Invalidated, d.Machine.Snapshot.Status);
        Assert.True(d.Machine.IsReading);
    }

    [Fact]
    public void The_rebuild_after_a_loss_notifies_the_change_back_and_resynced()
    {
        MachineDriver d = MachineDriver.Fresh();
        ZNodeStep<Counter> lost = d.Lose();
        Assert.Equal(1, lost.Change!.Previous.Value.Count);
        Assert.Equal(0, lost.Change.Current.Value.Count);
        d.Establish(2);
        ZNodeStep<Counter> rebuilt = d.Read(MachineDriver.Data(1, 10, 50));
        Assert.Equal(ZNodeStatus.Fresh, rebuilt.Snapshot.Status);
        Assert.Equal(ZNodeStatus.Invalidated, rebuilt.Change!.Previous.Status);
        Assert.Equal(1, rebuilt.Change.Current.Value.Count);
        Assert.Equal(ZNodeSignalKind.Resynced, rebuilt.Signal?.Kind);
        Assert.Equal(2, rebuilt.Snapshot.SessionEpoch);
    }

    [Fact]
    public void An_older_answer_is_not_applied_and_the_re_read_backs_off_exponentially_until_a_current_answer()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        var delays = new List<TimeSpan>();
        for (int i = 0; i < 9; i++)
        {
            ZNodeStep<Counter> older = d.Read(MachineDriver.Data(5, 5));
            Assert.Equal(ReadCommand.StartAfterBackoff, older.Read);
            Assert.Equal(1, older.Snapshot.Value.Count);
            delays.Add(ZNodeStateMachine<Counter>.Backoff(d.Machine.OlderAnswersInARow));
        }

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000], delays.Select(t => (int)t.TotalMilliseconds));
        ZNodeStep<Counter> current = d.Read(MachineDriver.Data(2, 30));
        Assert.Equal(ReadCommand.None, current.Read);
        Assert.Equal(0, d.Machine.OlderAnswersInARow);
        Assert.Equal(2, current.Snapshot.Value.Count);
    }

    [Fact]
    public void Missing_is_applied_by_the_reply_zxid_so_a_lagging_server_cannot_hide_a_node()
    {
        MachineDriver d = MachineDriver.Fresh();
        Assert.Equal(ReadCommand.StartAfterBackoff, d.Read(MachineDriver.Missing(9)).Read);
        Assert.Equal(ZNodeStatus.Fresh, d.Machine.Snapshot.Status);
        Assert.Equal(ZNodeStatus.Missing, d.Read(MachineDriver.Missing(11)).Snapshot.Status);
    }

    [Fact]
    public void A_node_re_created_at_version_0_is_applied_by_mzxid_not_version()
    {
        MachineDriver d = MachineDriver.Loading();
        d.Read(MachineDriver.Data(1, 10, version: 7));
        ZNodeStep<Counter> recreated = d.Read(MachineDriver.Data(2, 30, version: 0));
        Assert.Equal(2, recreated.Snapshot.Value.Count);
        Assert.Equal(0, recreated.Snapshot.Stat!.Value.Version);
    }

    [Fact]
    public void After_a_lineage_reset_a_low_zxid_is_applied_while_without_it_it_is_older()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Read(MachineDriver.Data(2, 1000));
        d.Lose();
        d.Establish(2);
        Assert.Equal(ReadCommand.StartAfterBackoff, d.Read(MachineDriver.Data(5, 5)).Read);

        d.Lose();
        d.Establish(3, lineageReset: true);
        Assert.Equal(0, d.Machine.KnownZxid);
        ZNodeStep<Counter> fresh = d.Read(MachineDriver.Data(5, 5));
        Assert.Equal(ZNodeStatus.Fresh, fresh.Snapshot.Status);
        Assert.Equal(5, fresh.Snapshot.Value.Count);
        Assert.Equal(5, fresh.Snapshot.ObservedZxid);
    }

    [Fact]
    public void A_faulted_snapshot_carries_the_served_values_stat_and_the_rejected_version_beside_it()
    {
        MachineDriver d = MachineDriver.Fresh();
        ZNodeStep<Counter> faulted = d.Read(MachineDriver.Data(Encoding.UTF8.GetBytes("["), 20));
        ZNodeSnapshot<Counter> s = faulted.Snapshot;
        Assert.Equal(ZNodeStatus.Faulted, s.Status);
        Assert.Equal(1, s.Value.Count);
        Assert.Equal(10, s.Mzxid);
        Assert.Equal(20, s.RejectedStat!.Value.Mzxid);
        ZNodePayloadException error = Assert.IsType<ZNodePayloadException>(s.Error);
        Assert.Equal(20, error.Mzxid);
        Assert.Same(error, faulted.Rejected);

        // Healing clears the rejected fields.
        ZNodeSnapshot<Counter> healed = d.Read(MachineDriver.Data(2, 30)).Snapshot;
        Assert.Null(healed.RejectedStat);
        Assert.Null(healed.Error);
        Assert.Equal(30, healed.Mzxid);
    }

    [Fact]
    public void A_faulted_node_with_no_good_value_serves_the_default_with_no_stat()
    {
        MachineDriver d = MachineDriver.Loading();
        ZNodeSnapshot<Counter> s = d.Read(MachineDriver.Data(Encoding.UTF8.GetBytes("["), 20)).Snapshot;
        Assert.Equal(ZNodeStatus.Faulted, s.Status);
        Assert.Null(s.Stat);
        Assert.Equal(20, s.RejectedStat!.Value.Mzxid);
    }

    [Fact]
    public void Watch_events_while_reading_coalesce_into_one_more_read()
    {
        MachineDriver d = MachineDriver.Fresh();
        Assert.Equal(ReadCommand.Start, d.Watch().Read);
        Assert.Equal(ReadCommand.None, d.Watch().Read);
        Assert.Equal(ReadCommand.None, d.Watch().Read);
        Assert.Equal(ReadCommand.Start, d.Read(MachineDriver.Data(2, 30)).Read);
        Assert.Equal(ReadCommand.None, d.Read(MachineDriver.Data(3, 31)).Read);
        Assert.False(d.Machine.IsReading);
    }

    [Fact]
    public void An_equal_value_in_different_bytes_is_applied_without_a_change()
    {
        MachineDriver d = MachineDriver.Fresh();
        ZNodeStep<Counter> step = d.Read(MachineDriver.Data(Encoding.UTF8.GetBytes("""{ "Count" : 1 }"""), 30));
        Assert.True(step.Applied);
        Assert.Null(step.Change);
        Assert.Null(step.Signal);
        Assert.Equal(30, step.Snapshot.Mzxid);
    }

    [Fact]
    public void Changes_are_reported_in_mzxid_order_and_an_own_write_never_regresses_a_newer_read()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Watch();
        d.Read(MachineDriver.Data(3, 40));
        Assert.Null(d.Machine.OwnWrite(1, MachineDriver.Json(2), MachineDriver.StatAt(30), d.Generation).Change);
        Assert.Equal(3, d.Machine.Snapshot.Value.Count);
    }

    [Fact]
    public void The_first_load_notifies_a_change_only_when_the_value_differs_from_the_default_and_never_a_status_signal()
    {
        ZNodeStep<Counter> loaded = MachineDriver.Loading().Read(MachineDriver.Data(1, 10));
        Assert.NotNull(loaded.Change);
        Assert.Null(loaded.Signal);

        ZNodeStep<Counter> asDefault = MachineDriver.Loading().Read(MachineDriver.Data(0, 10));
        Assert.Null(asDefault.Change);
        Assert.Null(asDefault.Signal);
        Assert.Equal(ZNodeStatus.Fresh, asDefault.Snapshot.Status);
    }

    [Fact]
    public void A_failed_watch_re_registration_re_reads_every_node_and_resyncs_after_the_read()
    {
        MachineDriver d = MachineDriver.Fresh();
        d.Machine.Disconnected();
        ZNodeStep<Counter> back = d.Machine.Reconnected(1, watchesComplete: false);
        Assert.Equal(ReadCommand.Start, back.Read);
        Assert.Null(back.Signal);
        Assert.Equal(ZNodeStatus.Stale, back.Snapshot.Status);
        d.Ticket = d.Machine.TicketFor(1);
        Assert.Equal(ZNodeSignalKind.Resynced, d.Read(MachineDriver.Data(1, 10, 60)).Signal?.Kind);
    }

    [Fact]
    public void Served_after_a_known_loss_is_invalidated_or_stale_by_policy_never_current()
    {
        ZNodeSnapshot<Counter> fresh = MachineDriver.Fresh().Machine.Snapshot;
        ZNodeSnapshot<Counter> invalid = ZNodeStateMachine<Counter>.ServedAfterLoss(fresh, SessionLossPolicy.InvalidateAndRebuild, new Counter(), "/sm");
        Assert.Equal(ZNodeStatus.Invalidated, invalid.Status);
        Assert.Equal(0, invalid.Value.Count);
        Assert.Null(invalid.Stat);
        ZNodeSnapshot<Counter> stale = ZNodeStateMachine<Counter>.ServedAfterLoss(fresh, SessionLossPolicy.ServeStaleAndRebuild, new Counter(), "/sm");
        Assert.Equal(ZNodeStatus.Stale, stale.Status);
        Assert.Equal(1, stale.Value.Count);
    }
}
