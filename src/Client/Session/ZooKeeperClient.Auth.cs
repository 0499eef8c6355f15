using System.Text;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client;

/// <content>Credentials: added once, sent exactly once per connection.</content>
public sealed partial class ZooKeeperClient
{
    private readonly List<Credential> _credentials = [];

    // The connection whose priming already holds the credentials known when it was built (guarded by _credentials):
    // a credential added later is queued for that connection only, and every later connection primes it itself.
    private ZkConnection? _primedConnection;

    /// <summary>
    /// Adds credentials to this session's connections (sent now and again after every reconnect, since auth is per
    /// connection; one packet per credential per connection). Completes when a server accepted them; a connection lost
    /// before the answer just means the next connection sends them again. A rejection is terminal
    /// (<see cref="ZooKeeperState.AuthFailed"/>) and fails this call with <see cref="AuthFailedException"/>.
    /// With <see cref="ZooKeeperClientOptions.OperationTimeout"/> set, the wait fails after it with
    /// <see cref="OperationTimeoutException"/> (the credentials stay registered). The credentials are never logged.
    /// </summary>
    public async Task AddAuthAsync(string scheme, byte[] auth, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(auth);
        ThrowIfTerminal();
        var credential = new Credential(scheme, [.. auth]);
        lock (_credentials)
        {
            _credentials.Add(credential);
            if (_primedConnection is { } primed && !TryQueue(new AuthCall(credential, primed)))
            {
                credential.OnFailed(CreateTerminalException(null));
            }
        }

        // A terminal state reached while adding (its FailCredentials may have run before the Add).
        if (State.IsTerminal())
        {
            credential.OnFailed(CreateTerminalException(null));
        }

        if (_options.OperationTimeout == Timeout.InfiniteTimeSpan)
        {
            await credential.Accepted.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await credential.Accepted.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!credential.Accepted.IsCompleted)
        {
            // The credential stays registered: later connections still send it.
            throw new OperationTimeoutException(null, $"ZooKeeper: no server accepted the '{scheme}' credentials within the operation timeout of {_options.OperationTimeout.TotalMilliseconds:0} ms (client state {State}); they stay registered for later connections.");
        }
    }

    /// <summary>Authenticates with the <c>digest</c> scheme as <c>user:password</c> (matches ACLs made by <see cref="Acl.Digest"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="user"/> is empty or contains ':' (the server would split it there).</exception>
    public Task AddDigestAuthAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Contains(':'))
        {
            throw new ArgumentException("A digest user name must not contain ':' (the server splits user:password at the first ':').", nameof(user));
        }

        return AddAuthAsync("digest", Encoding.UTF8.GetBytes(user + ":" + password), cancellationToken);
    }

    /// <summary>Adds one auth packet per credential to a new connection's priming, and marks the connection primed.</summary>
    private void PrimeCredentials(ZkConnection connection, List<Call> priming)
    {
        lock (_credentials)
        {
            foreach (Credential credential in _credentials)
            {
                priming.Add(new AuthCall(credential, connection));
            }

            _primedConnection = connection;
        }
    }

    private void EndPriming(ZkConnection connection)
    {
        lock (_credentials)
        {
            if (ReferenceEquals(_primedConnection, connection))
            {
                _primedConnection = null;
            }
        }
    }

    private void FailCredentials(Exception exception)
    {
        lock (_credentials)
        {
            foreach (Credential credential in _credentials)
            {
                credential.OnFailed(exception);
            }
        }
    }
}
