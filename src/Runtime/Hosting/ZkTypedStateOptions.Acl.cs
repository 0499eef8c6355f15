using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>The ACL of the nodes the SDK creates, and its checks.</content>
public sealed partial class ZkTypedStateOptions
{
    /// <summary>
    /// The ACL of every node the SDK creates in this session: a bound value's <c>SetAsync</c>/<c>UpdateAsync</c> create
    /// and the missing parents it creates, and (unless their own options say otherwise) election and lock nodes and
    /// their parents. <see langword="null"/> (the default) means <see cref="Acl.CreatorAll"/> when
    /// <see cref="Credentials"/> are configured (all rights for the identities the session authenticated as, e.g.
    /// <c>digest:app:…</c>) and <see cref="Acl.OpenUnsafe"/> (<c>world:anyone</c>, all rights) otherwise.
    /// </summary>
    /// <remarks>
    /// From configuration, a list of entries with <c>Permissions</c> (names of <see cref="Permissions"/>, comma-separated,
    /// e.g. <c>"Read, Write"</c> or <c>"All"</c>) and <c>Id</c> (<c>Scheme</c> and <c>Id</c>):
    /// <c>"DefaultAcl": [ { "Permissions": "All", "Id": { "Scheme": "auth", "Id": "" } }, { "Permissions": "Read", "Id": { "Scheme": "world", "Id": "anyone" } } ]</c>.
    /// Checked at startup: an empty list, an entry without permissions or scheme, and an <c>auth</c> entry
    /// (<see cref="Acl.CreatorAll"/>) without <see cref="Credentials"/> (the server would refuse every create with
    /// InvalidACL) are errors. The ACL applies to nodes created from now on; existing nodes keep theirs. A custom ACL must
    /// still grant the session's own identity Read (and Write, and Create on parents): the runtime reads back and watches
    /// what it writes.
    /// </remarks>
    public IReadOnlyList<Acl>? DefaultAcl { get; set; }

    /// <summary>The ACL nodes are created with: <see cref="DefaultAcl"/>, or the default it stands for when null.</summary>
    public IReadOnlyList<Acl> ResolveDefaultAcl() => DefaultAcl ?? (Credentials.Count > 0 ? Acl.CreatorAll : Acl.OpenUnsafe);

    /// <summary>Checks an ACL the SDK would create nodes with; <paramref name="name"/> names the option in the message.</summary>
    /// <param name="acl">The ACL; <see langword="null"/> (the default one) passes.</param>
    /// <param name="hasCredentials">Whether the session authenticates (an <c>auth</c> entry needs it).</param>
    /// <param name="name">The option, e.g. <c>ZkTypedStateOptions.DefaultAcl</c>.</param>
    /// <exception cref="ArgumentException">The ACL would be refused by the server, or grants nothing; the message says why.</exception>
    internal static void ValidateAcl(IReadOnlyList<Acl>? acl, bool hasCredentials, string name)
    {
        if (acl is null)
        {
            return;
        }

        if (acl.Count == 0)
        {
            throw new ArgumentException($"{name} is empty: ZooKeeper refuses a create with no ACL (InvalidACL). Leave it unset for the default (CreatorAll with credentials, OpenUnsafe without).", nameof(DefaultAcl));
        }

        for (int i = 0; i < acl.Count; i++)
        {
            string where = $"{name}[{i}]";
            if (acl[i] is not { } entry)
            {
                throw new ArgumentException($"{where} is null.", nameof(DefaultAcl));
            }

            if ((entry.Permissions & ~Permissions.All) != 0 || entry.Permissions == Permissions.None)
            {
                throw new ArgumentException($"{where} grants '{entry.Permissions}': name one or more of Read, Write, Create, Delete, Admin (or All).", nameof(DefaultAcl));
            }

            string? scheme = entry.Id.Scheme;
            if (string.IsNullOrWhiteSpace(scheme))
            {
                throw new ArgumentException($"{where} has no Id.Scheme (world, auth, digest, ip, x509, …).", nameof(DefaultAcl));
            }

            switch (scheme)
            {
                case "auth" when !hasCredentials:
                    throw new ArgumentException($"{where} is an 'auth' entry (Acl.CreatorAll: the identities the session authenticated as), but no Credentials are configured, so the server would refuse every create with InvalidACL. Add Credentials, or use another ACL (e.g. Acl.OpenUnsafe).", nameof(DefaultAcl));
                case "world" when entry.Id.Id != "anyone":
                    throw new ArgumentException($"{where}: the only 'world' id is 'anyone' (was '{entry.Id.Id}').", nameof(DefaultAcl));
                case "digest" when entry.Id.Id is not { } id || id.IndexOf(':', StringComparison.Ordinal) <= 0:
                    throw new ArgumentException($"{where}: a 'digest' id has the form user:base64(sha1(user:password)) (see Acl.Digest).", nameof(DefaultAcl));
                case not ("auth" or "world" or "digest") when string.IsNullOrEmpty(entry.Id.Id):
                    throw new ArgumentException($"{where} ({scheme}) has no Id.Id.", nameof(DefaultAcl));
            }
        }
    }
}
