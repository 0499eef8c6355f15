namespace ZkTypedState;

/// <content>Why the node is faulted, for the runtime's reports.</content>
internal sealed partial class ZNodeValue<T>
{
    /// <inheritdoc/>
    public Exception? Fault => Current is { Status: ZNodeStatus.Faulted } snapshot ? snapshot.Error : null;
}
