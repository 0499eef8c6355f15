using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>The rules: which answer is older, how content is applied, what is served, and which transition notifies.</content>
internal sealed partial class ZNodeStateMachine<T>
{
    private bool IsOlder(ObservedNode result) => result.Exists ? result.Stat!.Value.Mzxid < _knownZxid : result.Zxid < _knownZxid;

    private ReadCommand StartRead()
    {
        if (_reading)
        {
            // Coalesce: one more read after the current one covers any number of events meanwhile.
            _dirty = true;
            return ReadCommand.None;
        }

        _reading = true;
        _dirty = false;
        return ReadCommand.Start;
    }

    private (bool Applied, ZNodePayloadException? Rejected) ApplyContent(ObservedNode result)
    {
        _hasContent = true;
        _observedZxid = Math.Max(_observedZxid, result.Zxid);
        if (!result.Exists)
        {
            _exists = false;
            _bytes = null;
            _hasGood = false;
            _good = _default;
            _goodStat = null;
            ClearFault();
            _knownZxid = Math.Max(_knownZxid, result.Zxid);
            return (false, null);
        }

        Stat stat = result.Stat!.Value;
        byte[] bytes = result.Data ?? [];
        _exists = true;
        _knownZxid = Math.Max(_knownZxid, stat.Mzxid);
        if (_fault is null && _bytes is not null && bytes.AsSpan().SequenceEqual(_bytes))
        {
            // Same content (an unchanged re-read, or a write of identical bytes): only the metadata moves.
            _goodStat = stat;
            return (false, null);
        }

        if (_fault is ZNodePayloadException && _rejectedBytes is not null && bytes.AsSpan().SequenceEqual(_rejectedBytes))
        {
            // The same rejected payload read again: still rejected, nothing new to report.
            _rejectedStat = stat;
            return (false, null);
        }

        ParseResult<T> parsed = _parse(bytes, stat);
        if (parsed.Error is null)
        {
            _good = parsed.Value;
            _hasGood = true;
            _bytes = bytes;
            _goodStat = stat;
            ClearFault();
            return (true, null);
        }

        // Keep serving the last good value with its own Stat; the rejected version is reported beside it.
        _fault = parsed.Error;
        _rejectedBytes = bytes;
        _rejectedStat = stat;
        return (false, parsed.Error);
    }

    private void ClearFault()
    {
        _fault = null;
        _rejectedBytes = null;
        _rejectedStat = null;
    }

    private ZNodeStep<T> Nothing(ReadCommand read = ReadCommand.None) => new(_snapshot, null, null, read);

    private ZNodeStep<T> Publish(ZNodeSignalKind? forced, ReadCommand read, bool applied = false, ZNodePayloadException? rejected = null)
    {
        ZNodeSnapshot<T> previous = _snapshot;
        ZNodeSnapshot<T> next = Compute();
        if (next == previous)
        {
            next = previous;
        }
        else
        {
            _snapshot = next;
        }

        ZNodeChange<T>? change = EqualityComparer<T>.Default.Equals(previous.Value, next.Value) ? null : new ZNodeChange<T>(_path, previous, next);
        ZNodeSignal<T>? signal = null;
        if (forced is { } kind)
        {
            signal = new ZNodeSignal<T>(_path, kind, next);
        }
        else if (change is null
            && (previous.Status != next.Status || !ReferenceEquals(previous.Error, next.Error))
            && !(previous.Status == ZNodeStatus.Loading && next.Status is ZNodeStatus.Fresh or ZNodeStatus.Missing))
        {
            signal = new ZNodeSignal<T>(_path, ZNodeSignalKind.StatusChanged, next);
        }

        return new ZNodeStep<T>(next, change, signal, read, applied, rejected);
    }

    private ZNodeSnapshot<T> Compute()
    {
        ZNodeStatus status;
        T value;
        Stat? stat;
        Exception? error = _fault;
        if (_invalidated)
        {
            status = ZNodeStatus.Invalidated;
            value = _default;
            stat = null;
            error = _invalidationReason;
        }
        else if (!_hasContent)
        {
            status = ZNodeStatus.Loading;
            value = _default;
            stat = null;
        }
        else if (_fault is not null)
        {
            status = ZNodeStatus.Faulted;
            value = _hasGood ? _good : _default;
            stat = _hasGood ? _goodStat : null;
        }
        else if (!_connected || !_loadedThisEpoch)
        {
            status = ZNodeStatus.Stale;
            value = _exists ? _good : _default;
            stat = _exists ? _goodStat : null;
        }
        else if (!_exists)
        {
            status = ZNodeStatus.Missing;
            value = _default;
            stat = null;
        }
        else
        {
            status = ZNodeStatus.Fresh;
            value = _good;
            stat = _goodStat;
        }

        return new ZNodeSnapshot<T>(value, status, stat, _observedZxid, _contentEpoch, error)
        {
            LossGeneration = _generation,
            RejectedStat = status == ZNodeStatus.Faulted ? _rejectedStat : null,

            // References to the arrays read (never changed after), so a snapshot carries its bytes at no cost.
            RawPayload = stat is not null ? _bytes : null,
            RejectedPayload = status == ZNodeStatus.Faulted ? _rejectedBytes : null,
        };
    }
}
