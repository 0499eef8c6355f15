using System.Text.Json;

namespace ZkTypedState.Bench.Infra;

/// <summary>What every scenario gets: its arguments, the proxy's control port, the writer session and a run nonce.</summary>
public sealed class ScenarioContext(BenchArgs args, ControlClient control, Writer writer, CancellationToken cancellation)
{
    public BenchArgs Args => args;

    public int N => args.N;

    public ControlClient Control => control;

    public Writer Writer => writer;

    /// <summary>Cancelled at the scenario's deadline.</summary>
    public CancellationToken Token => cancellation;

    /// <summary>Unique per run: set-up content carries it, so leftovers of other runs or peers never look like ours.</summary>
    public string Run { get; } = Guid.NewGuid().ToString("N")[..12];
}

/// <summary>The result line: <c>{"peer":"zktypedstate","scenario":…,…figures}</c>.</summary>
public sealed class Result
{
    private readonly MemoryStream _buffer = new();
    private readonly Utf8JsonWriter _json;

    public Result(string scenario, int n)
    {
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteString("peer", "zktypedstate");
        _json.WriteString("scenario", scenario);
        _json.WriteNumber("n", n);
    }

    public Utf8JsonWriter Json => _json;

    public void Number(string name, double value, int decimals = 1) => _json.WriteNumber(name, Math.Round(value, decimals));

    public void Number(string name, long value) => _json.WriteNumber(name, value);

    /// <summary>
    /// Marks the run failed while keeping its figures: the line then carries an <c>"error"</c> key (as the peers'
    /// lines do) and the runner exits 1.
    /// </summary>
    public void Fail(string message) => Error ??= message;

    /// <summary>Why the run failed (see <see cref="Fail"/>), or null.</summary>
    public string? Error { get; private set; }

    public void Bool(string name, bool value) => _json.WriteBoolean(name, value);

    public void Raw(string name, JsonElement value)
    {
        _json.WritePropertyName(name);
        value.WriteTo(_json);
    }

    /// <summary>The finished line (without newline).</summary>
    public string ToLine()
    {
        if (Error is not null)
        {
            _json.WriteString("error", Error);
        }

        _json.WriteEndObject();
        _json.Flush();
        return System.Text.Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
    }
}
