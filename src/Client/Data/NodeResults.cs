namespace ZkTypedState.Client;

/// <summary>A node's data and metadata, as read by getData.</summary>
/// <param name="Data">The node's bytes (empty for a node created with no data).</param>
/// <param name="Stat">The node's metadata at the time of the read.</param>
public sealed record NodeData(byte[] Data, Stat Stat);

/// <summary>A node's children and its metadata, as read by getChildren.</summary>
/// <param name="Children">The children's names (not paths), in no particular order.</param>
/// <param name="Stat">The parent's metadata at the time of the read.</param>
public sealed record NodeChildren(IReadOnlyList<string> Children, Stat Stat);

/// <summary>A node that was created.</summary>
/// <param name="Path">The actual path, including any sequence suffix (relative to the chroot).</param>
/// <param name="Stat">The new node's metadata.</param>
public sealed record CreatedNode(string Path, Stat Stat);

/// <summary>A node's ACL and metadata.</summary>
/// <param name="Acl">The ACL entries.</param>
/// <param name="Stat">The node's metadata.</param>
public sealed record NodeAcl(IReadOnlyList<Acl> Acl, Stat Stat);
