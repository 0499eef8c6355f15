namespace ZkTypedState.Tests.Consistency;

/// <summary>Checks observations against the true history (run after the writer has stopped and settled).</summary>
internal static class ConsistencyChecker
{
    public static List<string> Check(IEnumerable<Observation> observations, History history)
    {
        var violations = new List<string>();
        foreach (IGrouping<(string Source, string Path), Observation> group in observations.GroupBy(o => (o.Source == "poll" ? "poll" : "stream", o.Path)))
        {
            long lastMzxid = 0;
            long lastObserved = 0;
            foreach (Observation o in group)
            {
                ZNodeSnapshot<ZkTypedState.Tests.Support.Counter> s = o.Snapshot;
                string where = $"{group.Key.Source} {o.Path} {s.Status} value {s.Value.Count} mzxid 0x{s.Mzxid:x}";

                // 1. Every value served exists in the history, paired with its own mzxid; a default has no Stat.
                if (s.Stat is not null)
                {
                    if (!history.TryGet(o.Path, s.Mzxid, out int written))
                    {
                        violations.Add($"{where}: no write at that mzxid");
                    }
                    else if (written != s.Value.Count)
                    {
                        violations.Add($"{where}: the history has {written} at that mzxid");
                    }
                }
                else if (s.Value.Count != 0)
                {
                    violations.Add($"{where}: a non-default value without a Stat");
                }

                // 1b. A Faulted snapshot names the rejected version beside the value it serves, and nothing else does.
                if (s.Status == ZNodeStatus.Faulted)
                {
                    if (s.RejectedStat is not { } rejected || !history.TryGet(o.Path, rejected.Mzxid, out int bad) || bad != History.Rejected)
                    {
                        violations.Add($"{where}: faulted without the rejected version's Stat (0x{s.RejectedStat?.Mzxid ?? 0:x})");
                    }
                    else if (rejected.Mzxid <= s.Mzxid)
                    {
                        violations.Add($"{where}: rejected version 0x{rejected.Mzxid:x} not newer than the served one");
                    }
                }
                else if (s.RejectedStat is not null)
                {
                    violations.Add($"{where}: a rejected Stat outside Faulted");
                }

                // 2. Never back in time, per path: mzxid of the values served, and the zxid each state was observed at.
                if (s.Stat is not null)
                {
                    if (s.Mzxid < lastMzxid)
                    {
                        violations.Add($"{where}: went back from mzxid 0x{lastMzxid:x}");
                    }

                    lastMzxid = Math.Max(lastMzxid, s.Mzxid);
                }

                if (s.Status == ZNodeStatus.Missing && s.ObservedZxid < lastMzxid)
                {
                    violations.Add($"{where}: missing observed at 0x{s.ObservedZxid:x}, before the value served at 0x{lastMzxid:x}");
                }

                if (s.ObservedZxid < lastObserved)
                {
                    violations.Add($"{where}: observed zxid went back from 0x{lastObserved:x} to 0x{s.ObservedZxid:x}");
                }

                lastObserved = Math.Max(lastObserved, s.ObservedZxid);

                // 3. Once the app has heard a loss, nothing of that session is served until re-read in a new one.
                if (o.Before.LostEpoch > 0 && s.SessionEpoch <= o.Before.LostEpoch && s.Status is ZNodeStatus.Fresh or ZNodeStatus.Stale or ZNodeStatus.Missing or ZNodeStatus.Faulted)
                {
                    violations.Add($"{where}: served from epoch {s.SessionEpoch} after the app heard epoch {o.Before.LostEpoch} lost");
                }

                // 4. No Fresh before the app has heard Established/Reconnected for that connection (conclusive only
                // when no session event was heard while the value was read).
                if (s.Status == ZNodeStatus.Fresh && o.Before == o.After && (!o.Before.Up || o.Before.Epoch != s.SessionEpoch))
                {
                    violations.Add($"{where}: Fresh in epoch {s.SessionEpoch} while the app had heard {(o.Before.Up ? "up" : "down")} in epoch {o.Before.Epoch}");
                }
            }
        }

        return violations;
    }
}
