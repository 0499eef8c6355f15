namespace ZkTypedState.Client.Watches;

/// <summary>
/// Marks the target of an internal watcher delegate (the runtime's own data watches) that runs on the receive loop as
/// the notification is read, instead of on the event dispatcher: it only starts a re-read, so a change costs no thread
/// hop before its getData is queued. User watchers never carry it and always go through the dispatcher.
/// </summary>
internal interface IReceiveLoopWatcher;
