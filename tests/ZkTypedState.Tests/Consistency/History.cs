namespace ZkTypedState.Tests.Consistency;

/// <summary>
/// The true history of the written nodes, as the single writer knows it: for each path, every value written with the
/// mzxid the server gave it, and each deletion. Thread-safe; values are unique over the whole run (never 0, the default);
/// <see cref="Rejected"/> stands for a payload written on purpose that the runtime must reject.
/// </summary>
internal sealed class History
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<long, int>> _byMzxid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Value, long Mzxid)?> _current = new(StringComparer.Ordinal);

    /// <summary>The value recorded for an invalid payload.</summary>
    public const int Rejected = -1;

    public int Writes { get; private set; }

    public int Deletes { get; private set; }

    public void Written(string path, long mzxid, int value)
    {
        lock (_gate)
        {
            if (!_byMzxid.TryGetValue(path, out Dictionary<long, int>? values))
            {
                _byMzxid[path] = values = [];
            }

            values[mzxid] = value;
            _current[path] = (value, mzxid);
            Writes++;
        }
    }

    public void Deleted(string path)
    {
        lock (_gate)
        {
            _current[path] = null;
            Deletes++;
        }
    }

    /// <summary>The value written at <paramref name="mzxid"/>, if the history has it.</summary>
    public bool TryGet(string path, long mzxid, out int value)
    {
        lock (_gate)
        {
            value = 0;
            return _byMzxid.TryGetValue(path, out Dictionary<long, int>? values) && values.TryGetValue(mzxid, out value);
        }
    }

    /// <summary>The last state written (null: deleted or never created).</summary>
    public (int Value, long Mzxid)? Current(string path)
    {
        lock (_gate)
        {
            return _current.GetValueOrDefault(path);
        }
    }
}
