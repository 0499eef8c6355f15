namespace ZkTypedState.Client.Session;

/// <summary>
/// One credential added with AddAuthAsync. Sent once per connection (in the connection's priming, or queued for the
/// connection that was already primed when it was added); <see cref="Accepted"/> completes at the first acceptance and
/// fails with the terminal exception if the client ends first (AuthFailedException when a server rejected it).
/// </summary>
internal sealed class Credential
{
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Credential(string scheme, byte[] auth)
    {
        Scheme = scheme;
        Auth = auth;

        // The caller may stop waiting (its token) and never look at the outcome: mark it observed.
        Connection.TaskObservation.Observe(_accepted.Task);
    }

    public string Scheme { get; }

    public byte[] Auth { get; }

    public Task Accepted => _accepted.Task;

    public void OnAccepted() => _accepted.TrySetResult();

    public void OnFailed(Exception exception) => _accepted.TrySetException(exception);
}
