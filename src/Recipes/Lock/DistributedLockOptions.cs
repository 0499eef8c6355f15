using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>Settings of a <see cref="DistributedLock"/>.</summary>
public sealed class DistributedLockOptions
{
    /// <summary>An id stored (UTF-8) as the lock node's data, to tell holders apart when listing the lock. Default: empty.</summary>
    public string OwnerId { get; set; } = string.Empty;

    /// <summary>Create missing ancestors of the lock path as container nodes (Curator's <c>creatingParentContainersIfNeeded</c>). Default: true.</summary>
    public bool CreateParentsAsContainers { get; set; } = true;

    /// <summary>
    /// The ACL of the lock node and of the parents it creates. <see langword="null"/> (the default): the session's
    /// <see cref="ZooKeeperSession.DefaultAcl"/> (<see cref="ZkTypedStateOptions.DefaultAcl"/>: <see cref="Acl.CreatorAll"/>
    /// when credentials are configured, <see cref="Acl.OpenUnsafe"/> otherwise). Checked when the lock is created: an
    /// empty list, or an <c>auth</c> entry (<see cref="Acl.CreatorAll"/>) in a session without credentials, is an error.
    /// Every participant needs Read on the nodes of the others (to see their data and watch them): an ACL that locks
    /// the others out of reading also breaks the recipe for them.
    /// </summary>
    public IReadOnlyList<Acl>? DefaultAcl { get; set; }

    /// <summary>
    /// How long a release (or giving up an acquisition) tries to delete the lock node before leaving it to the
    /// session. Default: 5 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal DistributedLockOptions Clone() => (DistributedLockOptions)MemberwiseClone();

    internal void Validate()
    {
        if (OwnerId is null)
        {
            throw new ArgumentException("DistributedLockOptions.OwnerId cannot be null (use an empty string for none).", nameof(OwnerId));
        }

        if (CloseTimeout <= TimeSpan.Zero || CloseTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"DistributedLockOptions.CloseTimeout must be between 0 and 10 minutes (was {CloseTimeout}).", nameof(CloseTimeout));
        }
    }
}
