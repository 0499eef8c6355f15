namespace ZkTypedState.Client.Session;

/// <summary>One server address from the connection string.</summary>
internal readonly record struct HostEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>A parsed connection string: <c>host:port[,host:port…][/chroot]</c>.</summary>
internal sealed record ConnectionString(IReadOnlyList<HostEndpoint> Hosts, string? Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectionString Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        string hostsPart = value;
        string? chroot = null;
        int slash = value.IndexOf('/');
        if (slash >= 0)
        {
            hostsPart = value[..slash];
            string path = value[slash..];
            if (path != "/")
            {
                ZooKeeperPath.Validate(path);
                chroot = path;
            }
        }

        var hosts = new List<HostEndpoint>();
        foreach (string raw in hostsPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hosts.Add(ParseHost(raw, value));
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException($"Connection string '{value}' names no host.", nameof(value));
        }

        return new ConnectionString(hosts, chroot);
    }

    private static HostEndpoint ParseHost(string raw, string whole)
    {
        string host;
        string? port = null;
        if (raw.StartsWith('['))
        {
            int close = raw.IndexOf(']');
            if (close < 0)
            {
                throw new ArgumentException($"Connection string '{whole}': unterminated IPv6 address in '{raw}'.");
            }

            host = raw[1..close];
            if (close + 1 < raw.Length)
            {
                if (raw[close + 1] != ':')
                {
                    throw new ArgumentException($"Connection string '{whole}': expected ':' after ']' in '{raw}'.");
                }

                port = raw[(close + 2)..];
            }
        }
        else
        {
            int colon = raw.LastIndexOf(':');
            host = colon < 0 ? raw : raw[..colon];
            port = colon < 0 ? null : raw[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Connection string '{whole}': empty host in '{raw}'.");
        }

        int portNumber = DefaultPort;
        if (port is not null && (!int.TryParse(port, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"Connection string '{whole}': invalid port in '{raw}'.");
        }

        return new HostEndpoint(host, portNumber);
    }
}
