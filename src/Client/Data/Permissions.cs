namespace ZkTypedState.Client;

/// <summary>ACL permission bits.</summary>
[Flags]
public enum Permissions
{
    /// <summary>No permission.</summary>
    None = 0,

    /// <summary>Read data and list children.</summary>
    Read = 1,

    /// <summary>Set data.</summary>
    Write = 2,

    /// <summary>Create children.</summary>
    Create = 4,

    /// <summary>Delete children.</summary>
    Delete = 8,

    /// <summary>Set the ACL.</summary>
    Admin = 16,

    /// <summary>Every permission.</summary>
    All = Read | Write | Create | Delete | Admin,
}
