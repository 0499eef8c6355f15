using System.Collections.Frozen;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// Attribute names and cached, bounded attribute values shared by the client's metrics and spans: an unknown error
/// code from a server becomes <c>_OTHER</c>, never a fresh value (a server must not mint unbounded series).
/// </summary>
internal static class TelemetryNames
{
    public const string OperationName = "zookeeper.operation.name";
    public const string NodePath = "zookeeper.node.path";
    public const string WatchEventType = "zookeeper.watch.event.type";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    /// <summary>The conventions' fallback for an error with no known low-cardinality name.</summary>
    public const string OtherError = "_OTHER";

    private static readonly FrozenDictionary<ZooKeeperErrorCode, string> CodeNames =
        Enum.GetValues<ZooKeeperErrorCode>().Distinct().ToFrozenDictionary(c => c, c => c.ToString());

    private static readonly FrozenDictionary<OpCode, string> SpanNames =
        Enum.GetValues<OpCode>().Distinct().ToFrozenDictionary(c => c, c => "zookeeper " + OpNames.Of(c));

    /// <summary>error.type for a reply's error code: null for Ok.</summary>
    public static string? ErrorTypeOf(ZooKeeperErrorCode code) =>
        code == ZooKeeperErrorCode.Ok ? null : CodeNames.TryGetValue(code, out string? name) ? name : OtherError;

    /// <summary>error.type for a failure: the ZooKeeper code of a <see cref="KeeperException"/>, else the exception's type name.</summary>
    public static string ErrorTypeOf(Exception failure) => failure switch
    {
        KeeperException keeper => ErrorTypeOf(keeper.Code) ?? OtherError,
        _ => failure.GetType().FullName ?? OtherError,
    };

    /// <summary>The span name of an operation, e.g. "zookeeper getData".</summary>
    public static string SpanNameOf(OpCode code) => SpanNames.TryGetValue(code, out string? name) ? name : "zookeeper other";

    /// <summary>A snake_case attribute value for an enum member (NodeDataChanged → node_data_changed).</summary>
    public static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
