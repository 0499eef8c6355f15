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
            if (!System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException($"Connection string '{whole}': '{host}' in brackets is not an IPv6 address.");
            }

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
            int colon = raw.IndexOf(':');
            if (colon >= 0 && raw.IndexOf(':', colon + 1) >= 0)
            {
                // "::1" or "fe80::1:2181" is ambiguous: the port could be the last group of the address.
                throw new ArgumentException($"Connection string '{whole}': '{raw}' looks like an IPv6 address; write it in brackets, e.g. [::1]:2181.");
            }

            host = colon < 0 ? raw : raw[..colon];
            port = colon < 0 ? null : raw[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Connection string '{whole}': empty host in '{raw}'.");
        }

        if (host.AsSpan().IndexOfAny(" \t[]/") >= 0)
        {
            throw new ArgumentException($"Connection string '{whole}': invalid host '{host}' in '{raw}'.");
        }

        int portNumber = DefaultPort;
        if (port is not null && !TryParsePort(port, out portNumber))
        {
            throw new ArgumentException($"Connection string '{whole}': invalid port in '{raw}' (1–65535, digits only).");
        }

        return new HostEndpoint(host, portNumber);
    }

    private static bool TryParsePort(string text, out int port)
    {
        // int.TryParse accepts a sign and surrounding white space; a port is 1–5 ASCII digits and nothing else.
        port = 0;
        if (text.Length is 0 or > 5)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port is >= 1 and <= 65535;
    }
}
