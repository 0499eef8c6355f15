using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ZkTypedState.Bench.Infra;

/// <summary>A scenario that could not be run or measured (exit code 1).</summary>
public sealed class BenchFailure(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The fault proxy's control port: one TCP connection, one command per line, one reply line
/// (<c>cut</c>, <c>blackhole</c>, <c>restore</c>, <c>reset</c> → <c>ok</c>; <c>stats</c> → a JSON object).
/// </summary>
public sealed class ControlClient : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ControlClient(TcpClient tcp)
    {
        _tcp = tcp;
        NetworkStream stream = tcp.GetStream();
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
    }

    /// <summary>True after cut or blackhole until restore: the proxy must be restored before the runner exits.</summary>
    public bool FaultActive { get; private set; }

    public static async Task<ControlClient> ConnectAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            tcp.Dispose();
            throw new BenchFailure($"cannot reach the proxy control port --control {endpoint}: {ex.Message}", ex);
        }

        return new ControlClient(tcp);
    }

    public async Task CutAsync(CancellationToken ct)
    {
        FaultActive = true;
        await ExpectOkAsync("cut", ct);
    }

    public async Task BlackholeAsync(CancellationToken ct)
    {
        FaultActive = true;
        await ExpectOkAsync("blackhole", ct);
    }

    public async Task RestoreAsync(CancellationToken ct)
    {
        await ExpectOkAsync("restore", ct);
        FaultActive = false;
    }

    public Task ResetAsync(CancellationToken ct) => ExpectOkAsync("reset", ct);

    /// <summary>The proxy's request counters since the last reset, as the JSON object it replied.</summary>
    /// <summary>
    /// The peers' <c>quietStats</c>: polls <c>stats</c> every 250 ms until the non-ping request count has not grown for
    /// 1 s (at most 20 s) and returns the last reply, so reads still in flight after a resync are counted.
    /// </summary>
    public async Task<JsonElement> QuietStatsAsync(CancellationToken ct)
    {
        long end = Clock.Now + (long)(20 * System.Diagnostics.Stopwatch.Frequency);
        JsonElement last = await StatsAsync(ct);
        long lastChange = Clock.Now;
        while (Clock.Now < end)
        {
            await Task.Delay(250, ct);
            JsonElement now = await StatsAsync(ct);
            if (NonPing(now) != NonPing(last))
            {
                lastChange = Clock.Now;
            }

            last = now;
            if (Clock.MsSince(lastChange) >= 1000)
            {
                break;
            }
        }

        return last;
    }

    private static long NonPing(JsonElement stats) =>
        stats.ValueKind == JsonValueKind.Object && stats.TryGetProperty("total_nonping", out JsonElement v) && v.TryGetInt64(out long n) ? n : -1;

    public async Task<JsonElement> StatsAsync(CancellationToken ct)
    {
        string reply = await SendAsync("stats", ct);
        try
        {
            using JsonDocument document = JsonDocument.Parse(reply);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BenchFailure($"the proxy answered 'stats' with '{reply}', not a JSON object.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new BenchFailure($"the proxy answered 'stats' with '{reply}', not JSON.", ex);
        }
    }

    private async Task ExpectOkAsync(string command, CancellationToken ct)
    {
        string reply = await SendAsync(command, ct);
        if (!string.Equals(reply.Trim(), "ok", StringComparison.OrdinalIgnoreCase))
        {
            throw new BenchFailure($"the proxy refused '{command}': {reply}");
        }
    }

    private async Task<string> SendAsync(string command, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ReplyTimeout);
            await _writer.WriteLineAsync(command.AsMemory(), timeout.Token);
            string? reply = await _reader.ReadLineAsync(timeout.Token);
            return reply ?? throw new BenchFailure($"the proxy control port closed the connection after '{command}'.");
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new BenchFailure($"no answer from the proxy control port to '{command}' within {ReplyTimeout.TotalSeconds:0} s.", ex);
        }
        catch (IOException ex)
        {
            throw new BenchFailure($"the proxy control port failed on '{command}': {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _writer.Dispose();
        _tcp.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
