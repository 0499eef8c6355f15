using System.Text.Json;
using ZkTypedState.Client;

namespace ZkTypedState.Bench.Infra;

/// <summary>
/// Records the connection and session events the client under test raises, in order, with ms timestamps relative
/// to a zero point: the session owner's events (source "session"), the state changes of its current ZooKeeper
/// client (source "client"; a replacement client is followed from its Established event on) and node-level
/// signals (source "nodes").
/// </summary>
public sealed class EventRecorder
{
    private readonly object _gate = new();
    private readonly List<(long At, string Source, string Event)> _events = [];
    private readonly HashSet<ZooKeeperClient> _followed = new(ReferenceEqualityComparer.Instance);
    private long _zero = Clock.Now;

    /// <summary>Raised (synchronously, on the raising thread) after each session event is recorded.</summary>
    public event Action<SessionEvent>? SessionChanged;

    public void Attach(ZooKeeperSession session)
    {
        session.Changed += e =>
        {
            Add("session", e.Kind == SessionEventKind.Lost ? $"Lost ({e.ClientState})" : e.Kind.ToString());
            if (e.Kind == SessionEventKind.Established)
            {
                Follow(e.Client);
            }

            SessionChanged?.Invoke(e);
        };
        if (session.Client is { } client)
        {
            Follow(client);
        }
    }

    /// <summary>Makes now the zero point of the timestamps.</summary>
    public void StartClock() => Volatile.Write(ref _zero, Clock.Now);

    public long Zero => Volatile.Read(ref _zero);

    public void Add(string source, string name)
    {
        long now = Clock.Now;
        lock (_gate)
        {
            _events.Add((now, source, name));
        }

        Log.Info($"event +{Clock.Ms(Zero, now):0.0} ms {source}: {name}");
    }

    /// <summary>The time of the first event at or after <paramref name="from"/> that matches, or 0.</summary>
    public long FirstAt(long from, Func<string, string, bool> match)
    {
        lock (_gate)
        {
            foreach ((long at, string source, string name) in _events)
            {
                if (at >= from && match(source, name))
                {
                    return at;
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// The peers' "(re)connected event": the client under test's connection is up again — its ZooKeeper client's state
    /// Connected (the raw Java client's SyncConnected), or the session owner's Established for a new session.
    /// </summary>
    public static bool IsConnected(string source, string name) =>
        (source == "client" && name == nameof(ZooKeeperState.Connected)) || (source == "session" && name is "Established" or "Reconnected");

    public void WriteTo(Utf8JsonWriter json, string property)
    {
        json.WriteStartArray(property);
        lock (_gate)
        {
            foreach ((long at, string source, string name) in _events)
            {
                if (at < Zero)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteNumber("t_ms", Math.Round(Clock.Ms(Zero, at), 1));
                json.WriteString("source", source);
                json.WriteString("event", name);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }

    private void Follow(ZooKeeperClient client)
    {
        lock (_gate)
        {
            if (!_followed.Add(client))
            {
                return;
            }
        }

        client.StateChanged += change => Add("client", change.Current.ToString());
    }
}
