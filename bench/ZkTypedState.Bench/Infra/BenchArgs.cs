using System.Globalization;

namespace ZkTypedState.Bench.Infra;

/// <summary>A command line the runner cannot run (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A host:port pair.</summary>
public readonly record struct Endpoint(string Host, int Port)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    public static Endpoint Parse(string option, string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new UsageException($"{option} must be HOST:PORT, got '{text}'.");
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new UsageException($"{option}: '{text[(colon + 1)..]}' is not a TCP port (1-65535).");
        }

        if (host.Length == 0 || host.Contains(',') || host.Contains('/'))
        {
            throw new UsageException($"{option} must be one HOST:PORT (no list, no chroot), got '{text}'.");
        }

        return new Endpoint(host, port);
    }
}

/// <summary>The parsed command line: <c>SCENARIO --connect H:P --proxied H:P --control H:P [--n N]</c>.</summary>
public sealed record BenchArgs(string Scenario, Endpoint Connect, Endpoint Proxied, Endpoint Control, int N)
{
    public static readonly IReadOnlyDictionary<string, int> DefaultN = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["propagation"] = 2000,
        ["load"] = 10_000,
        ["reconnect"] = 10_000,
        ["expiry"] = 1000,
    };

    public const string Usage = """
        usage: ZkTypedState.Bench SCENARIO --connect HOST:PORT --proxied HOST:PORT --control HOST:PORT [--n N]
               ZkTypedState.Bench serve-harness
          SCENARIO   propagation (N=2000) | load (N=10000) | reconnect (N=10000, K=10) | expiry (N=1000, K=10)
          --connect  the ZooKeeper server, directly (setup and the writer session)
          --proxied  the same server through the fault proxy (the client under test connects only here)
          --control  the fault proxy's control port (cut, blackhole, restore, stats, reset)
          --n        the scenario's N (a positive integer; reconnect and expiry need N >= 10)
        Prints exactly one JSON line on stdout; diagnostics go to stderr. Exit 0 ok, 1 failure, 2 usage error.
        serve-harness starts a local ZooKeeper server, a fault proxy and its control port, prints
        "--connect H:P --proxied H:P --control H:P" on stdout and runs until stdin is closed or SIGTERM/SIGINT.
        """;

    /// <summary>Parses a scenario command line (options as <c>--name value</c> or <c>--name=value</c>).</summary>
    /// <exception cref="UsageException">Anything missing, repeated, unknown or malformed.</exception>
    public static BenchArgs Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new UsageException("no scenario given.");
        }

        string scenario = args[0];
        if (!DefaultN.ContainsKey(scenario))
        {
            throw new UsageException($"unknown scenario '{scenario}' (expected {string.Join(", ", DefaultN.Keys)}).");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}'.");
            }

            string name;
            string value;
            int eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"--{name} needs a value.");
                }

                value = args[++i];
            }

            if (name is not ("connect" or "proxied" or "control" or "n"))
            {
                throw new UsageException($"unknown option --{name}.");
            }

            if (!values.TryAdd(name, value))
            {
                throw new UsageException($"--{name} given twice.");
            }
        }

        Endpoint Required(string name) => values.TryGetValue(name, out string? text)
            ? Endpoint.Parse("--" + name, text)
            : throw new UsageException($"--{name} HOST:PORT is required.");

        Endpoint connect = Required("connect");
        Endpoint proxied = Required("proxied");
        Endpoint control = Required("control");
        int n = DefaultN[scenario];
        if (values.TryGetValue("n", out string? nText))
        {
            if (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1)
            {
                throw new UsageException($"--n must be a positive integer, got '{nText}'.");
            }

            if (n > 1_000_000)
            {
                throw new UsageException($"--n {n} is above the runner's limit of 1000000.");
            }
        }

        if (scenario is "reconnect" or "expiry" && n < Scenarios.ChangedNodes.K)
        {
            throw new UsageException($"{scenario} changes K={Scenarios.ChangedNodes.K} of the N nodes: --n must be at least {Scenarios.ChangedNodes.K}.");
        }

        if (proxied == connect)
        {
            throw new UsageException("--proxied must be the fault proxy, not the server given as --connect.");
        }

        return new BenchArgs(scenario, connect, proxied, control, n);
    }
}
