using System.Text;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// One credential the session authenticates with (ZooKeeper's <c>addAuth</c>), bindable from configuration. Give a
/// <see cref="Scheme"/> and exactly one form of secret:
/// <list type="bullet">
/// <item><see cref="User"/> and <see cref="Password"/> — the <c>digest</c> scheme only (sent as <c>user:password</c>, matching ACLs made with <see cref="Acl.Digest"/>);</item>
/// <item><see cref="Secret"/> — any scheme, sent as its UTF-8 bytes (for <c>digest</c>: <c>"user:password"</c>);</item>
/// <item><see cref="AuthBytes"/> — any scheme, sent as is (from configuration: a base64 string).</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Checked by <see cref="ZkTypedStateOptions.Validate"/> (so at host start): an empty scheme, no secret, two forms
/// at once, <see cref="User"/> without <see cref="Password"/> (or the reverse), or user/password with another scheme than
/// <c>digest</c> is an error naming the entry — a mistyped key in configuration is never silently dropped.</para>
/// <para>The secret is never logged: <see cref="ToString"/> shows the scheme and the user only.</para>
/// </remarks>
/// <example><code>
/// "Credentials": [ { "Scheme": "digest", "User": "app", "Password": "from-a-secret-store" } ]
/// </code></example>
public sealed class ZooKeeperCredential
{
    /// <summary>The digest scheme's name.</summary>
    public const string DigestScheme = "digest";

    /// <summary>The authentication scheme (<c>digest</c>, or a scheme the servers have an auth provider for).</summary>
    public string? Scheme { get; set; }

    /// <summary>The user, for <c>digest</c> (with <see cref="Password"/>). It cannot contain <c>:</c>.</summary>
    public string? User { get; set; }

    /// <summary>The password, for <c>digest</c> (with <see cref="User"/>). Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>A secret sent as its UTF-8 bytes (for <c>digest</c>: <c>user:password</c>). Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Raw auth bytes, sent as is (a base64 string when bound from configuration). Never logged.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Bindable raw bytes.")]
    public byte[]? AuthBytes { get; set; }

    /// <summary>A <c>digest</c> credential for <paramref name="user"/> and <paramref name="password"/>.</summary>
    public static ZooKeeperCredential Digest(string user, string password) => new() { Scheme = DigestScheme, User = user, Password = password };

    /// <summary>A credential of <paramref name="scheme"/> whose auth bytes are <paramref name="secret"/> in UTF-8.</summary>
    public static ZooKeeperCredential FromSecret(string scheme, string secret) => new() { Scheme = scheme, Secret = secret };

    /// <summary>A credential of <paramref name="scheme"/> with raw auth bytes (copied).</summary>
    public static ZooKeeperCredential FromBytes(string scheme, ReadOnlySpan<byte> auth) => new() { Scheme = scheme, AuthBytes = auth.ToArray() };

    /// <summary>The scheme and, for digest, the user; never the secret.</summary>
    public override string ToString() => User is null ? $"{Scheme} credential" : $"{Scheme} credential for user '{User}'";

    /// <summary>The bytes of the AuthPacket (call <see cref="Validate"/> first).</summary>
    internal byte[] GetAuthBytes() =>
        AuthBytes?.ToArray()
        ?? Encoding.UTF8.GetBytes(Secret ?? (User + ":" + Password));

    /// <summary>Checks the entry; <paramref name="name"/> (e.g. <c>Credentials[0]</c>) prefixes the message.</summary>
    /// <exception cref="ArgumentException">The entry is incomplete or ambiguous; the message says how.</exception>
    internal void Validate(string name)
    {
        string where = $"ZkTypedStateOptions.{name}";
        if (string.IsNullOrWhiteSpace(Scheme))
        {
            throw new ArgumentException($"{where} has no Scheme: set \"Scheme\": \"digest\" (with User and Password) or the scheme of your auth provider.", nameof(ZkTypedStateOptions.Credentials));
        }

        if (Scheme.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"{where}.Scheme '{Scheme}' contains whitespace.", nameof(ZkTypedStateOptions.Credentials));
        }

        bool userForm = User is not null || Password is not null;
        int forms = (userForm ? 1 : 0) + (Secret is not null ? 1 : 0) + (AuthBytes is not null ? 1 : 0);
        if (forms == 0)
        {
            throw new ArgumentException($"{where} ({Scheme}) has no secret: set User and Password (digest), Secret, or AuthBytes (base64).", nameof(ZkTypedStateOptions.Credentials));
        }

        if (forms > 1)
        {
            throw new ArgumentException($"{where} ({Scheme}) sets {Describe()}: set exactly one of User+Password, Secret or AuthBytes.", nameof(ZkTypedStateOptions.Credentials));
        }

        if (userForm)
        {
            if (!string.Equals(Scheme, DigestScheme, StringComparison.Ordinal))
            {
                throw new ArgumentException($"{where}: User and Password are for the \"digest\" scheme only (the scheme is '{Scheme}'); use Secret or AuthBytes for other schemes.", nameof(ZkTypedStateOptions.Credentials));
            }

            if (string.IsNullOrEmpty(User))
            {
                throw new ArgumentException($"{where} (digest) has a Password but no User.", nameof(ZkTypedStateOptions.Credentials));
            }

            if (User.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException($"{where} (digest): the User '{User}' contains ':', which digest uses to separate user and password.", nameof(ZkTypedStateOptions.Credentials));
            }

            if (string.IsNullOrEmpty(Password))
            {
                throw new ArgumentException($"{where} (digest) for user '{User}' has no Password (is the secret it comes from set?).", nameof(ZkTypedStateOptions.Credentials));
            }
        }

        if (Secret is { Length: 0 } || AuthBytes is { Length: 0 })
        {
            throw new ArgumentException($"{where} ({Scheme}) has an empty {(Secret is not null ? "Secret" : "AuthBytes")} (is the secret it comes from set?).", nameof(ZkTypedStateOptions.Credentials));
        }

        if (Secret is not null && string.Equals(Scheme, DigestScheme, StringComparison.Ordinal) && Secret.IndexOf(':', StringComparison.Ordinal) <= 0)
        {
            throw new ArgumentException($"{where} (digest): a digest Secret has the form \"user:password\"; or set User and Password.", nameof(ZkTypedStateOptions.Credentials));
        }
    }

    private string Describe()
    {
        var set = new List<string>();
        if (User is not null || Password is not null)
        {
            set.Add("User/Password");
        }

        if (Secret is not null)
        {
            set.Add("Secret");
        }

        if (AuthBytes is not null)
        {
            set.Add("AuthBytes");
        }

        return string.Join(" and ", set);
    }
}
