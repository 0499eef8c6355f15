namespace ZkTypedState.Testing;

/// <summary>What a <see cref="FaultProxy"/> does with connections and bytes.</summary>
public enum FaultMode
{
    /// <summary>Forward bytes both ways (optionally with <see cref="FaultProxy.Delay"/>).</summary>
    Forward,

    /// <summary>Close every proxied connection, and close new connections as soon as they are accepted.</summary>
    Cut,

    /// <summary>Keep connections open but silently drop every byte both ways (a network partition).</summary>
    Blackhole,
}
