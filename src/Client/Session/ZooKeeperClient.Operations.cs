using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client;

/// <content>The ZooKeeper operations.</content>
public sealed partial class ZooKeeperClient
{
    /// <summary>
    /// Creates a node and returns its actual path (with any sequence suffix) and Stat. Plain, ephemeral and sequential
    /// nodes use create2, containers createContainer and TTL nodes createTTL (which needs <c>zookeeper.extendedTypesEnabled</c>).
    /// </summary>
    /// <param name="path">The node's path (for sequential modes, the prefix; it may end in '/').</param>
    /// <param name="data">The node's data.</param>
    /// <param name="mode">The kind of node.</param>
    /// <param name="acl">The ACL; null means <see cref="Acl.OpenUnsafe"/>.</param>
    /// <param name="ttl">The TTL in milliseconds, for the TTL modes only.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public Task<CreatedNode> CreateAsync(string path, ReadOnlyMemory<byte> data = default, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, long ttl = 0, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, mode.IsSequential());
        if (mode.HasTtl() && ttl <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "TTL modes need a positive ttl (milliseconds).");
        }

        if (!mode.HasTtl() && ttl != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"A ttl is only valid with {CreateMode.PersistentWithTtl} or {CreateMode.PersistentSequentialWithTtl}.");
        }

        if (acl is { Count: 0 })
        {
            throw new ArgumentException("The ACL must not be empty (ZooKeeper rejects it).", nameof(acl));
        }

        var op = new Op.Create(path, data, mode, acl, ttl);
        OpCode opCode = op.OpCode == OpCode.Create ? OpCode.Create2 : op.OpCode;
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<CreatedNode>(opCode, path, w => op.WriteBody(w, serverPath), (ref JuteReader r) => new CreatedNode(StripChroot(r.ReadRequiredString()), Stat.Read(ref r))),
            cancellationToken);
    }

    /// <summary>Deletes a node if its version matches (−1: any version).</summary>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<bool>(OpCode.Delete, path, w =>
            {
                w.WriteString(serverPath);
                w.WriteInt32(version);
            }, null),
            cancellationToken);
    }

    /// <summary>
    /// Returns the node's Stat, or null if it does not exist. With a watcher, arms a watch either way: it fires once on
    /// creation (if absent) or on a data change or deletion (if present).
    /// </summary>
    public Task<Stat?> ExistsAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<Stat?>(OpCode.Exists, path, PathAndWatch(serverPath, watcher), (ref JuteReader r) => Stat.Read(ref r), noNodeResult: null)
            {
                Watch = Registration(WatchKind.Data, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>Reads a node's data and Stat. With a watcher, arms a one-shot watch that fires on a data change or deletion.</summary>
    /// <exception cref="NoNodeException">The node does not exist (no watch is armed).</exception>
    public Task<NodeData> GetDataAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<NodeData>(OpCode.GetData, path, PathAndWatch(serverPath, watcher), static (ref JuteReader r) => new NodeData(r.ReadBuffer() ?? [], Stat.Read(ref r)))
            {
                Watch = Registration(WatchKind.Data, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>
    /// getData that reports a missing node as a result instead of <see cref="NoNodeException"/>, and the zxid the answer
    /// observed. With a watcher, arms a data watch when the node exists (getData arms none on a missing node: use
    /// <see cref="ExistsObservedAsync"/> for that).
    /// </summary>
    public Task<ObservedNode> GetDataObservedAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<ObservedNode>(
                OpCode.GetData,
                path,
                PathAndWatch(serverPath, watcher),
                static (ref JuteReader r, long zxid) => new ObservedNode(r.ReadBuffer() ?? [], Stat.Read(ref r), zxid),
                static zxid => new ObservedNode(null, null, zxid))
            {
                Watch = Registration(WatchKind.Data, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>exists with the zxid the answer observed. With a watcher, arms a watch whether or not the node exists.</summary>
    public Task<ObservedNode> ExistsObservedAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<ObservedNode>(
                OpCode.Exists,
                path,
                PathAndWatch(serverPath, watcher),
                static (ref JuteReader r, long zxid) => new ObservedNode(null, Stat.Read(ref r), zxid),
                static zxid => new ObservedNode(null, null, zxid))
            {
                Watch = Registration(WatchKind.Data, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>Sets a node's data if its version matches (−1: any version) and returns the new Stat.</summary>
    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        var op = new Op.SetData(path, data, version);
        string serverPath = ToServerPath(path);
        return SubmitAsync(new Call<Stat>(OpCode.SetData, path, w => op.WriteBody(w, serverPath), static (ref JuteReader r) => Stat.Read(ref r)), cancellationToken);
    }

    /// <summary>Lists a node's children (names, in no particular order) with its Stat. With a watcher, arms a one-shot watch that fires when a child is created or deleted, or the node is deleted.</summary>
    public Task<NodeChildren> GetChildrenAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<NodeChildren>(OpCode.GetChildren2, path, PathAndWatch(serverPath, watcher), static (ref JuteReader r) => new NodeChildren(r.ReadStringVector(), Stat.Read(ref r)))
            {
                Watch = Registration(WatchKind.Child, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>Reads a node's ACL.</summary>
    public Task<NodeAcl> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<NodeAcl>(OpCode.GetAcl, path, w => w.WriteString(serverPath), static (ref JuteReader r) => new NodeAcl(Acl.ReadList(ref r), Stat.Read(ref r))),
            cancellationToken);
    }

    /// <summary>Replaces a node's ACL if its ACL version matches (−1: any) and returns the new Stat.</summary>
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        ArgumentNullException.ThrowIfNull(acl);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<Stat>(OpCode.SetAcl, path, w =>
            {
                w.WriteString(serverPath);
                Acl.WriteList(w, acl);
                w.WriteInt32(aclVersion);
            }, static (ref JuteReader r) => Stat.Read(ref r)),
            cancellationToken);
    }

    /// <summary>Waits until the server this client is connected to has caught up with the leader, so later reads see every write committed before.</summary>
    public Task SyncAsync(string path = "/", CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(new Call<bool>(OpCode.Sync, path, w => w.WriteString(serverPath), static (ref JuteReader r) => { r.ReadString(); return true; }), cancellationToken);
    }

    /// <summary>
    /// Applies write operations atomically: all or none. On failure throws the <see cref="KeeperException"/> subclass of the
    /// first failing operation, with <see cref="KeeperException.Results"/> holding every operation's outcome.
    /// </summary>
    public Task<IReadOnlyList<OpResult>> MultiAsync(IEnumerable<Op> operations, CancellationToken cancellationToken = default) =>
        SubmitMulti(operations, read: false, cancellationToken);

    /// <summary>Reads several nodes in one round trip (<see cref="Op.GetData"/>, <see cref="Op.GetChildren"/>). Each read stands alone: a failing one yields <see cref="OpResult.Error"/>. Sets no watches.</summary>
    public Task<IReadOnlyList<OpResult>> MultiReadAsync(IEnumerable<Op> operations, CancellationToken cancellationToken = default) =>
        SubmitMulti(operations, read: true, cancellationToken);

    private Task<IReadOnlyList<OpResult>> SubmitMulti(IEnumerable<Op> operations, bool read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        Op[] ops = [.. operations];
        if (ops.Length == 0)
        {
            return Task.FromResult<IReadOnlyList<OpResult>>([]);
        }

        var serverPaths = new string[ops.Length];
        for (int i = 0; i < ops.Length; i++)
        {
            Op op = ops[i];
            if (op.IsRead != read)
            {
                throw new ArgumentException(read
                    ? $"MultiReadAsync takes only GetData and GetChildren operations; operation {i} is {op.GetType().Name}."
                    : $"MultiAsync takes only Create, Delete, SetData and Check operations; operation {i} is {op.GetType().Name}.", nameof(operations));
            }

            ZooKeeperPath.Validate(op.Path, op is Op.Create create && create.Mode.IsSequential());
            serverPaths[i] = ToServerPath(op.Path);
        }

        var call = new Call<IReadOnlyList<OpResult>>(
            read ? OpCode.MultiRead : OpCode.Multi,
            ops[0].Path,
            w =>
            {
                for (int i = 0; i < ops.Length; i++)
                {
                    w.WriteInt32((int)ops[i].OpCode);
                    w.WriteBool(false);
                    w.WriteInt32(-1);
                    ops[i].WriteBody(w, serverPaths[i]);
                }

                w.WriteInt32(-1);
                w.WriteBool(true);
                w.WriteInt32(-1);
            },
            (ref JuteReader r) => ReadMultiResults(ref r))
        {
            Inspect = read ? null : results => MultiFailure(ops, results),
        };
        return SubmitAsync(call, cancellationToken);
    }

    private List<OpResult> ReadMultiResults(ref JuteReader reader)
    {
        var results = new List<OpResult>();
        while (true)
        {
            int type = reader.ReadInt32();
            bool done = reader.ReadBool();
            reader.ReadInt32();
            if (done)
            {
                return results;
            }

            results.Add((OpCode)type switch
            {
                OpCode.Create => new OpResult.Create(StripChroot(reader.ReadRequiredString()), null),
                OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl => new OpResult.Create(StripChroot(reader.ReadRequiredString()), Stat.Read(ref reader)),
                OpCode.Delete => new OpResult.Delete(),
                OpCode.SetData => new OpResult.SetData(Stat.Read(ref reader)),
                OpCode.Check => new OpResult.Check(),
                OpCode.GetData => new OpResult.GetData(reader.ReadBuffer() ?? [], Stat.Read(ref reader)),
                OpCode.GetChildren => new OpResult.GetChildren(reader.ReadStringVector()),
                OpCode.Error => new OpResult.Error((ZooKeeperErrorCode)reader.ReadInt32()),
                _ => throw new ZooKeeperProtocolException($"Unknown multi result type {type}."),
            });
        }
    }

    private static KeeperException? MultiFailure(Op[] ops, IReadOnlyList<OpResult> results)
    {
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i] is OpResult.Error { Code: not ZooKeeperErrorCode.Ok } error)
            {
                string? path = i < ops.Length ? ops[i].Path : null;
                string opName = i < ops.Length ? ops[i].GetType().Name : "?";
                KeeperException failure = KeeperException.Create(error.Code, path, $"ZooKeeper: multi failed at operation {i} ({opName} {path}): {error.Code}. Nothing was applied.");
                failure.Results = results;
                return failure;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds a persistent (or persistent-recursive) watch: it survives firing and stays until removed. Note that after a
    /// reconnect the server re-adds persistent watches without replaying changes missed while disconnected.
    /// </summary>
    public Task AddWatchAsync(string path, AddWatchMode mode, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        ArgumentNullException.ThrowIfNull(watcher);
        string serverPath = ToServerPath(path);
        return SubmitAsync(
            new Call<bool>(OpCode.AddWatch, path, w =>
            {
                w.WriteString(serverPath);
                w.WriteInt32((int)mode);
            }, static (ref JuteReader r) => { r.ReadInt32(); return true; })
            {
                Watch = new WatchRegistration(mode == AddWatchMode.Persistent ? WatchKind.Persistent : WatchKind.PersistentRecursive, path, watcher),
            },
            cancellationToken);
    }

    /// <summary>
    /// Removes <paramref name="watcher"/> (or, when null, every watcher) of the given kind from the path. The watcher
    /// receives a *WatchRemoved event. The server-side registration is removed once no local watcher needs it.
    /// </summary>
    /// <exception cref="NoWatcherException">No such watch is registered.</exception>
    public async Task RemoveWatchesAsync(string path, Action<WatchedEvent>? watcher, WatcherType type, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        ThrowIfTerminal();
        if (!_watches.Contains(path, watcher, type))
        {
            throw new NoWatcherException(path);
        }

        RemovalResult removal = _watches.Remove(path, watcher, type);

        // 3.8 removes only half of a persistent watch for type Data or Children, so persistent ones go with Any.
        WatcherType? serverType = removal.PersistentRegistrationUnused ? WatcherType.Any
            : removal.DataRegistrationUnused && removal.ChildRegistrationUnused ? WatcherType.Any
            : removal.DataRegistrationUnused ? WatcherType.Data
            : removal.ChildRegistrationUnused ? WatcherType.Children
            : null;
        if (serverType is { } server && State == ZooKeeperState.Connected)
        {
            string serverPath = ToServerPath(path);
            try
            {
                await SubmitAsync(
                    new Call<bool>(OpCode.RemoveWatches, path, w =>
                    {
                        w.WriteString(serverPath);
                        w.WriteInt32((int)server);
                    }, null),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (NoWatcherException)
            {
                // The watch already fired on the server and the event is on its way: nothing left to remove there.
            }
        }

        foreach ((WatchKind kind, Action<WatchedEvent> removed) in removal.Removed)
        {
            var type2 = kind switch
            {
                WatchKind.Child => WatchEventType.ChildWatchRemoved,
                WatchKind.Persistent or WatchKind.PersistentRecursive => WatchEventType.PersistentWatchRemoved,
                _ => WatchEventType.DataWatchRemoved,
            };
            _dispatcher.Post([removed], new WatchedEvent(type2, path));
        }
    }

    /// <summary>Lists this session's ephemeral nodes whose path starts with <paramref name="prefixPath"/> (a plain string prefix; "/" for all).</summary>
    public Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = "/", CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(prefixPath, isSequential: true);
        string serverPrefix = ToServerPath(prefixPath);
        return SubmitAsync(
            new Call<IReadOnlyList<string>>(OpCode.GetEphemerals, prefixPath, w => w.WriteString(serverPrefix), (ref JuteReader r) =>
            {
                List<string> paths = r.ReadStringVector();
                var result = new List<string>(paths.Count);
                foreach (string p in paths)
                {
                    if (ToClientPath(p) is { } clientPath)
                    {
                        result.Add(clientPath);
                    }
                }

                return result;
            }),
            cancellationToken);
    }

    /// <summary>Counts all descendants of a node (the node itself excluded).</summary>
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        string serverPath = ToServerPath(path);
        return SubmitAsync(new Call<int>(OpCode.GetAllChildrenNumber, path, w => w.WriteString(serverPath), static (ref JuteReader r) => r.ReadInt32()), cancellationToken);
    }

    /// <summary>The body shared by exists, getData and getChildren: the server path and whether to arm a watch.</summary>
    private static Action<JuteWriter> PathAndWatch(string serverPath, Action<WatchedEvent>? watcher)
    {
        bool watch = watcher is not null;
        return w =>
        {
            w.WriteString(serverPath);
            w.WriteBool(watch);
        };
    }

    /// <summary>The local registration of a read's watch, when it has a watcher.</summary>
    private static WatchRegistration? Registration(WatchKind kind, string path, Action<WatchedEvent>? watcher) =>
        watcher is null ? null : new WatchRegistration(kind, path, watcher);

    private void ThrowIfTerminal()
    {
        if (State.IsTerminal())
        {
            throw CreateTerminalException(null);
        }
    }

    private Task<T> SubmitAsync<T>(Call<T> call, CancellationToken cancellationToken)
    {
        if (State.IsTerminal())
        {
            return Task.FromException<T>(CreateTerminalException(call.Path));
        }

        ClientTracing.Start(call);

        // The common case, no token and no operation timeout: hand out the call's own task (no wrapper, no registration).
        if (!cancellationToken.CanBeCanceled && _options.OperationTimeout == Timeout.InfiniteTimeSpan)
        {
            Enqueue(call);
            return call.Task;
        }

        return SubmitCancellableAsync(call, cancellationToken);
    }

    private async Task<T> SubmitCancellableAsync<T>(Call<T> call, CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = call.RegisterCancellation(cancellationToken);
        using OperationTimer? timer = _options.OperationTimeout == Timeout.InfiniteTimeSpan ? null : new OperationTimer(this, call, _options.OperationTimeout);
        Enqueue(call);
        return await call.Task.ConfigureAwait(false);
    }

    private void Enqueue(Call call)
    {
        // Issued on the receive loop (by the runtime, never by user code): written by it after the frames at hand. Else
        // on an idle connection: written now, on this thread.
        if (_currentConnection is { } connection && (connection.TryDefer(call) || connection.TryWriteNow(this, call)))
        {
            return;
        }

        if (!TryQueue(call))
        {
            call.Fail(CreateTerminalException(call.Path));
        }
    }
}
