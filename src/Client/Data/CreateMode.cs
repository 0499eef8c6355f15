namespace ZkTypedState.Client;

/// <summary>The kind of node to create.</summary>
public enum CreateMode
{
    /// <summary>A node that lives until deleted.</summary>
    Persistent = 0,

    /// <summary>A node deleted when the creating session ends.</summary>
    Ephemeral = 1,

    /// <summary>A persistent node whose name gets a 10-digit, monotonically increasing suffix.</summary>
    PersistentSequential = 2,

    /// <summary>An ephemeral node whose name gets a 10-digit, monotonically increasing suffix.</summary>
    EphemeralSequential = 3,

    /// <summary>A container node: the server deletes it once it has had children and is empty again.</summary>
    Container = 4,

    /// <summary>A persistent node deleted when childless and unmodified for its TTL (needs <c>zookeeper.extendedTypesEnabled</c> on the server).</summary>
    PersistentWithTtl = 5,

    /// <summary>A sequential node with a TTL (needs <c>zookeeper.extendedTypesEnabled</c> on the server).</summary>
    PersistentSequentialWithTtl = 6,
}

/// <summary>Helpers for <see cref="CreateMode"/>.</summary>
public static class CreateModeExtensions
{
    /// <summary>True for modes that take a TTL.</summary>
    public static bool HasTtl(this CreateMode mode) => mode is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;

    /// <summary>True for modes that append a sequence suffix.</summary>
    public static bool IsSequential(this CreateMode mode) =>
        mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;

    /// <summary>True for ephemeral modes.</summary>
    public static bool IsEphemeral(this CreateMode mode) => mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential;
}
