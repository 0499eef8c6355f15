using System.Text;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.StateMachine;

/// <summary>Drives a <see cref="ZNodeStateMachine{T}"/> over counters with no server: builds states and feeds events.</summary>
internal sealed class MachineDriver
{
    public const string Path = "/sm";

    private static readonly ZNodePayload<Counter> Payload = new(Descriptors.Counter(Path), Path, "", [], 1024);

    public MachineDriver(int generation = 0) => Machine = new ZNodeStateMachine<Counter>(Path, new Counter(), Payload.Parse, generation);

    public ZNodeStateMachine<Counter> Machine { get; }

    /// <summary>The epoch the driver's reads and watches belong to.</summary>
    public long Epoch { get; private set; }

    public int Generation { get; set; }

    /// <summary>The ticket of the read the driver considers in flight.</summary>
    public ReadTicket Ticket { get; set; }

    public static byte[] Json(int count) => Encoding.UTF8.GetBytes($$"""{"Count":{{count}}}""");

    public static Stat StatAt(long mzxid, int version = 0) => new(mzxid, mzxid, 0, 0, version, 0, 0, 0, 0, 0, mzxid);

    public static ObservedNode Data(byte[] bytes, long mzxid, long? zxid = null, int version = 0) => new(bytes, StatAt(mzxid, version), zxid ?? mzxid);

    public static ObservedNode Data(int count, long mzxid, long? zxid = null, int version = 0) => Data(Json(count), mzxid, zxid, version);

    public static ObservedNode Missing(long zxid) => new(null, null, zxid);

    public ZNodeStep<Counter> Establish(long epoch, bool connected = true, bool lineageReset = false)
    {
        Epoch = epoch;
        ZNodeStep<Counter> step = Machine.Established(epoch, connected, Generation, lineageReset);
        Ticket = Machine.TicketFor(epoch);
        return step;
    }

    public ZNodeStep<Counter> Read(ObservedNode result) => Machine.ReadSucceeded(Ticket, result, Generation);

    public ZNodeStep<Counter> Watch()
    {
        ZNodeStep<Counter> step = Machine.WatchFired(Epoch);
        if (step.Read == ReadCommand.Start)
        {
            Ticket = Machine.TicketFor(Epoch);
        }

        return step;
    }

    public ZNodeStep<Counter> Lose(SessionLossPolicy policy = SessionLossPolicy.InvalidateAndRebuild)
    {
        Generation++;
        return Machine.SessionLost(policy, new SessionExpiredException(Path, "lost"), Generation);
    }

    // ---- states ----
    public static MachineDriver Loading()
    {
        var d = new MachineDriver();
        d.Establish(1);
        return d;
    }

    public static MachineDriver Fresh()
    {
        MachineDriver d = Loading();
        d.Read(Data(1, 10));
        return d;
    }

    public static MachineDriver Stale()
    {
        MachineDriver d = Fresh();
        d.Machine.Disconnected();
        d.Ticket = d.Machine.TicketFor(1);
        return d;
    }

    public static MachineDriver MissingNode()
    {
        MachineDriver d = Loading();
        d.Read(Missing(10));
        return d;
    }

    public static MachineDriver Faulted()
    {
        MachineDriver d = Fresh();
        d.Watch();
        d.Read(Data(Encoding.UTF8.GetBytes("["), 20));
        return d;
    }

    public static MachineDriver Invalidated()
    {
        MachineDriver d = Fresh();
        d.Lose();
        return d;
    }

    public static MachineDriver In(ZNodeStatus status) => status switch
    {
        ZNodeStatus.Loading => Loading(),
        ZNodeStatus.Fresh => Fresh(),
        ZNodeStatus.Stale => Stale(),
        ZNodeStatus.Missing => MissingNode(),
        ZNodeStatus.Faulted => Faulted(),
        ZNodeStatus.Invalidated => Invalidated(),
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
