using System.Data.Common;

namespace ZkTypedState.Recipes;

/// <summary>The open connection and transaction a fenced database step runs in.</summary>
public abstract class DbFencedContext
{
    private protected DbFencedContext(DbConnection connection, DbTransaction transaction, string resourceName, string parameterPrefix)
    {
        Connection = connection;
        Transaction = transaction;
        ResourceName = resourceName;
        ParameterPrefix = parameterPrefix;
    }

    /// <summary>The connection (do not close it).</summary>
    public DbConnection Connection { get; }

    /// <summary>The fenced transaction; every command must be enlisted in it (do not commit or roll it back).</summary>
    public DbTransaction Transaction { get; }

    /// <summary>The fenced resource's name.</summary>
    public string ResourceName { get; }

    /// <summary>The provider's parameter marker (from <see cref="DbFencedResourceOptions.ParameterPrefix"/>).</summary>
    public string ParameterPrefix { get; }

    /// <summary>Creates a command on the connection, enlisted in the transaction, with the given parameters (names without the marker).</summary>
    /// <param name="commandText">The SQL.</param>
    /// <param name="parameters">Parameter names (without the marker) and values; null values are sent as <see cref="DBNull"/>.</param>
    public DbCommand CreateCommand(string commandText, params (string Name, object? Value)[] parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(commandText);
        DbCommand command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = commandText;
        foreach ((string name, object? value) in parameters)
        {
            DbFencedResource.AddParameter(command, ParameterPrefix + name, value);
        }

        return command;
    }
}

/// <summary>The context of an accepted fenced write.</summary>
public sealed class DbFencedWrite : DbFencedContext
{
    internal DbFencedWrite(DbConnection connection, DbTransaction transaction, long fencingToken, long? previousHighestToken, string resourceName, string parameterPrefix)
        : base(connection, transaction, resourceName, parameterPrefix)
    {
        FencingToken = fencingToken;
        PreviousHighestToken = previousHighestToken;
    }

    /// <summary>The token the write carries (store it with your rows if you want to know which term wrote them).</summary>
    public long FencingToken { get; }

    /// <summary>
    /// The highest token the resource had seen before this write (read under the fence row's lock), or null for the
    /// resource's first write. Lower than <see cref="FencingToken"/> means this is the first write of a new term: a
    /// place to reconcile what the previous term may have left half done.
    /// </summary>
    public long? PreviousHighestToken { get; }

    /// <summary>True when this is the first accepted write with this token (a new term's first write).</summary>
    public bool IsFirstOfTerm => PreviousHighestToken is not { } previous || previous < FencingToken;
}

/// <summary>The context of a refused fenced write, given to <see cref="DbFencedResourceOptions.OnRefused"/>.</summary>
public sealed class DbFencedRefusal : DbFencedContext
{
    internal DbFencedRefusal(DbConnection connection, DbTransaction transaction, long attemptedToken, long highestToken, string resourceName, string parameterPrefix)
        : base(connection, transaction, resourceName, parameterPrefix)
    {
        AttemptedToken = attemptedToken;
        HighestToken = highestToken;
    }

    /// <summary>The stale token the refused write carried.</summary>
    public long AttemptedToken { get; }

    /// <summary>The highest token the resource has seen (from a newer term).</summary>
    public long HighestToken { get; }
}
