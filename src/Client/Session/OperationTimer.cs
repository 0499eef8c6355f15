using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client.Session;

/// <summary>Fails one call with <see cref="OperationTimeoutException"/> when it waited longer than the operation timeout.</summary>
internal sealed class OperationTimer : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenRegistration _registration;

    public OperationTimer(ZooKeeperClient client, Call call, TimeSpan timeout)
    {
        _timeout = new CancellationTokenSource(timeout);
        _registration = _timeout.Token.UnsafeRegister(
            _ => call.Fail(new OperationTimeoutException(
                call.Path,
                $"ZooKeeper: {OpNames.Of(call.OpCode)}{(call.Path is null ? string.Empty : " " + call.Path)} got no reply within the operation timeout of {timeout.TotalMilliseconds:0} ms (client state {client.State}). A write may or may not have been applied.")),
            null);
    }

    public void Dispose()
    {
        _registration.Dispose();
        _timeout.Dispose();
    }
}
