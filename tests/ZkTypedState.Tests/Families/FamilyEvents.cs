using System.Threading.Channels;

namespace ZkTypedState.Tests.Families;

/// <summary>
/// Records a family's MemberAdded/MemberRemoved and, subscribed from inside MemberAdded (on the ordered stream), each
/// new member's Changed, as one ordered log ("added:acme", "changed:acme=5", "removed:acme").
/// </summary>
internal sealed class FamilyEvents<T>
{
    private readonly Channel<string> _log = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];

    public FamilyEvents(IZNodeFamily<T> family, Func<T, string> describe)
    {
        family.MemberAdded += e =>
        {
            Write("added:" + e.Name);
            e.Node.Changed += c => Write($"changed:{e.Name}={describe(c.Current.Value)}");
        };
        family.MemberRemoved += e => Write("removed:" + e.Name);
    }

    public IReadOnlyList<string> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>The next entry of the log.</summary>
    public async Task<string> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Support.Timeouts.Event);
        try
        {
            return await _log.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No further family event; the log so far: [{string.Join(", ", All.Where(e => !e.StartsWith('(')))}]; with context: [{string.Join(", ", All)}].");
        }
    }

    /// <summary>Reads entries until one equals <paramref name="entry"/>; returns those before it.</summary>
    public async Task<List<string>> UntilAsync(string entry)
    {
        var before = new List<string>();
        for (string next = await NextAsync(); next != entry; next = await NextAsync())
        {
            before.Add(next);
        }

        return before;
    }

    /// <summary>Adds context to the failure log only (not to what <see cref="NextAsync"/> reads).</summary>
    public void Note(string entry)
    {
        lock (_all)
        {
            _all.Add("(" + entry + ")");
        }
    }

    private void Write(string entry)
    {
        lock (_all)
        {
            _all.Add(entry);
        }

        _log.Writer.TryWrite(entry);
    }
}
