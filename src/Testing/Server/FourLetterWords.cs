using System.Net.Sockets;
using System.Text;

namespace ZkTypedState.Testing;

/// <summary>
/// Sends ZooKeeper four-letter words (<c>srvr</c>, <c>cons</c>, <c>mntr</c>, <c>stat</c>, <c>ruok</c>, …) and parses
/// their answers. The server must whitelist them (<c>4lw.commands.whitelist=*</c>, which the harness writes).
/// </summary>
public static class FourLetterWords
{
    /// <summary>How long one exchange may take before <see cref="TimeoutException"/> is thrown.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, sends the four ASCII bytes of
    /// <paramref name="word"/> and reads the answer until the server closes the connection.
    /// </summary>
    /// <param name="host">Server host.</param>
    /// <param name="port">Server client port.</param>
    /// <param name="word">A four-letter word such as <c>srvr</c>.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The server's answer.</returns>
    /// <exception cref="SocketException">The server is not reachable.</exception>
    /// <exception cref="TimeoutException">The server did not answer within <see cref="DefaultTimeout"/>.</exception>
    public static async Task<string> SendAsync(string host, int port, string word, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendWithLocalPortAsync(host, port, word, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>Reads the <c>Mode:</c> line of a <c>srvr</c> or <c>stat</c> answer.</summary>
    /// <param name="srvrOutput">The answer.</param>
    /// <returns>The mode, or <see cref="ZooKeeperServerMode.NotServing"/> when there is no recognised mode line.</returns>
    public static ZooKeeperServerMode ParseMode(string srvrOutput)
    {
        ArgumentNullException.ThrowIfNull(srvrOutput);
        return ParseFields(srvrOutput).TryGetValue("Mode", out var mode)
            ? mode.Trim() switch
            {
                "standalone" => ZooKeeperServerMode.Standalone,
                "leader" => ZooKeeperServerMode.Leader,
                "follower" => ZooKeeperServerMode.Follower,
                "observer" => ZooKeeperServerMode.Observer,
                "read-only" => ZooKeeperServerMode.ReadOnly,
                _ => ZooKeeperServerMode.NotServing,
            }
            : ZooKeeperServerMode.NotServing;
    }

    /// <summary>
    /// Splits an answer into fields: <c>Key: value</c> lines (<c>srvr</c>, <c>stat</c>), <c>key=value</c> lines
    /// (<c>conf</c>, <c>envi</c>) and <c>key&lt;TAB&gt;value</c> lines (<c>mntr</c>). Later duplicates win; other
    /// lines are ignored.
    /// </summary>
    /// <param name="output">The answer.</param>
    /// <returns>The fields, keys compared ordinally.</returns>
    public static IReadOnlyDictionary<string, string> ParseFields(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                fields[line[..tab]] = line[(tab + 1)..];
                continue;
            }

            if (line.Length == 0 || char.IsWhiteSpace(line[0]))
            {
                continue;
            }

            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                fields[line[..colon]] = line[(colon + 2)..];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[line[..equals]] = line[(equals + 1)..];
            }
        }

        return fields;
    }

    /// <summary>
    /// Counts the connection lines of a <c>cons</c> answer (lines such as
    /// <c> /127.0.0.1:40312[1](queued=0,recved=3,...)</c>).
    /// </summary>
    /// <param name="consOutput">The answer.</param>
    /// <param name="excludeLocalPort">A local port whose line is not counted (the connection that asked), or <see langword="null"/>.</param>
    /// <returns>The number of connections.</returns>
    public static int CountConnections(string consOutput, int? excludeLocalPort = null)
    {
        ArgumentNullException.ThrowIfNull(consOutput);
        var excluded = excludeLocalPort is { } port ? $":{port}[" : null;
        var count = 0;
        foreach (var rawLine in consOutput.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] != '/' || !line.Contains('[', StringComparison.Ordinal))
            {
                continue;
            }

            if (excluded is not null && line.Contains(excluded, StringComparison.Ordinal))
            {
                continue;
            }

            count++;
        }

        return count;
    }

    internal static async Task<(string Response, int LocalPort)> SendWithLocalPortAsync(
        string host, int port, string word, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length != 4 || !word.All(char.IsAsciiLetterLower))
        {
            throw new ArgumentException($"'{word}' is not a four-letter word (four lower-case ASCII letters).", nameof(word));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            var localPort = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
            await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            using var answer = new MemoryStream();
            var buffer = new byte[8192];
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                answer.Write(buffer, 0, read);
            }

            return (Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length), localPort);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{word}' to {host}:{port} got no complete answer within {timeout.TotalSeconds:0.#} s.");
        }
    }
}
