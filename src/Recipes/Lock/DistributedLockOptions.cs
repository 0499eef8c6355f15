namespace ZkTypedState.Recipes;

/// <summary>Settings of a <see cref="DistributedLock"/>.</summary>
public sealed class DistributedLockOptions
{
    /// <summary>An id stored (UTF-8) as the lock node's data, to tell holders apart when listing the lock. Default: empty.</summary>
    public string OwnerId { get; set; } = string.Empty;

    /// <summary>Create missing ancestors of the lock path as container nodes (Curator's <c>creatingParentContainersIfNeeded</c>). Default: true.</summary>
    public bool CreateParentsAsContainers { get; set; } = true;

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
