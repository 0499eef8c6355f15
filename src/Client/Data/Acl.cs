using System.Security.Cryptography;
using System.Text;
using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client;

/// <summary>An identity in an ACL: a scheme (<c>world</c>, <c>auth</c>, <c>digest</c>, <c>ip</c>, …) and an id within it.</summary>
/// <param name="Scheme">The authentication scheme.</param>
/// <param name="Id">The id within the scheme.</param>
public readonly record struct ZkId(string Scheme, string Id);

/// <summary>One ACL entry: permissions granted to an identity.</summary>
/// <param name="Permissions">The granted permissions.</param>
/// <param name="Id">The identity they are granted to.</param>
public sealed record Acl(Permissions Permissions, ZkId Id)
{
    /// <summary>Everyone may do everything (<c>world:anyone</c>, all permissions).</summary>
    public static IReadOnlyList<Acl> OpenUnsafe { get; } = [new(Permissions.All, new ZkId("world", "anyone"))];

    /// <summary>Everyone may read (<c>world:anyone</c>, read).</summary>
    public static IReadOnlyList<Acl> ReadUnsafe { get; } = [new(Permissions.Read, new ZkId("world", "anyone"))];

    /// <summary>All permissions for the identities this connection authenticated as (<c>auth:</c>); needs a prior <c>AddAuthAsync</c>.</summary>
    public static IReadOnlyList<Acl> CreatorAll { get; } = [new(Permissions.All, new ZkId("auth", string.Empty))];

    /// <summary>
    /// Builds a <c>digest</c> ACL entry for a user and password, the way ZooKeeper's DigestAuthenticationProvider
    /// hashes them: <c>user:base64(sha1("user:password"))</c>.
    /// </summary>
    public static Acl Digest(string user, string password, Permissions permissions)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        byte[] hash = SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password));
        return new Acl(permissions, new ZkId("digest", user + ":" + Convert.ToBase64String(hash)));
    }

    internal static void WriteList(JuteWriter writer, IReadOnlyList<Acl> acl)
    {
        writer.WriteInt32(acl.Count);
        foreach (Acl entry in acl)
        {
            writer.WriteInt32((int)entry.Permissions);
            writer.WriteString(entry.Id.Scheme);
            writer.WriteString(entry.Id.Id);
        }
    }

    internal static List<Acl> ReadList(ref JuteReader reader)
    {
        // An ACL entry takes at least 12 bytes: perms plus two string lengths.
        int count = reader.ReadVectorCount(12);
        var list = new List<Acl>(count);
        for (int i = 0; i < count; i++)
        {
            int perms = reader.ReadInt32();
            string scheme = reader.ReadRequiredString();
            string id = reader.ReadRequiredString();
            list.Add(new Acl((Permissions)perms, new ZkId(scheme, id)));
        }

        return list;
    }
}
