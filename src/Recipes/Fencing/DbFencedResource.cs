using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ZkTypedState.Recipes;

/// <summary>
/// A fenced resource in any ADO.NET database: the guarded write runs in one transaction that first locks the resource's
/// fence row, reads the highest token seen, and refuses (<see cref="FencedOutException"/>) a write whose token is lower,
/// or records the new token and runs the write.
/// </summary>
/// <remarks>
/// <para>The statements (defaults; table and column names configurable in <see cref="DbFencedResourceOptions"/>, or
/// replaced whole with <see cref="DbFencedResourceOptions.Statements"/>):</para>
/// <code>
/// UPDATE zk_fence SET fencing_token = fencing_token WHERE resource_name = @n   -- takes the row's write lock
/// SELECT fencing_token FROM zk_fence WHERE resource_name = @n                 -- the previous highest token
/// UPDATE zk_fence SET fencing_token = @t WHERE resource_name = @n             -- only when @t is higher
/// INSERT INTO zk_fence (resource_name, fencing_token) VALUES (@n, @t)         -- only when there is no row yet
/// </code>
/// <para>Works with any provider whose <see cref="DbProviderFactory"/> or <see cref="DbDataSource"/> you pass in
/// (Microsoft.Data.Sqlite, Npgsql, MySqlConnector, Microsoft.Data.SqlClient…): the statements are plain SQL; only the DDL of
/// <see cref="EnsureCreatedAsync"/> varies between databases (<see cref="DbFencedResourceOptions.CreateTableSql"/>).</para>
/// <para>Why it is atomic: the lock, the check, the new token and the guarded write commit or roll back together, and the
/// row lock is held until the commit, so a writer with a higher token either waits for a lower one to commit (and then
/// raises the token) or has already raised it (and the lower one reads it and is refused). A lower token therefore
/// never commits anything after a higher one did.</para>
/// <para>A refused write can be recorded in the same transaction (<see cref="DbFencedResourceOptions.OnRefused"/>), and an
/// accepted one sees the previous highest token (<see cref="DbFencedWrite.PreviousHighestToken"/>).</para>
/// <para>When the data itself lives in one row, the same guarantee fits in a single statement without a fence table:
/// keep the token in the row and write <c>UPDATE t SET value = @v, token = @t WHERE id = @id AND token &lt;= @t</c>,
/// treating "0 rows" as fenced out.</para>
/// </remarks>
public sealed partial class DbFencedResource : IFencedResource<DbFencedWrite>
{
    private const long NoToken = -1;
    private readonly DbDataSource _dataSource;
    private readonly DbFencedResourceOptions _options;
    private readonly DbFenceStatements _sql;
    private readonly string _p;

    /// <summary>Creates a fenced resource over a data source.</summary>
    /// <param name="dataSource">Where connections come from.</param>
    /// <param name="name">The resource's name: its row in the fence table. Writers of the same resource must use the same name.</param>
    /// <param name="options">Settings (copied); null for the defaults.</param>
    /// <exception cref="ArgumentException">A table or column name is not a plain identifier, or the parameter marker is empty.</exception>
    public DbFencedResource(DbDataSource dataSource, string name, DbFencedResourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _options = (options ?? new DbFencedResourceOptions()).Clone();
        if (!SafeIdentifier().IsMatch(_options.TableName ?? string.Empty))
        {
            throw new ArgumentException($"DbFencedResourceOptions.TableName '{_options.TableName}' is not a plain identifier (letters, digits, _; one optional schema. prefix).", nameof(options));
        }

        foreach ((string what, string? column) in new[] { ("ResourceColumn", _options.ResourceColumn), ("TokenColumn", _options.TokenColumn) })
        {
            if (!SafeColumn().IsMatch(column ?? string.Empty))
            {
                throw new ArgumentException($"DbFencedResourceOptions.{what} '{column}' is not a plain identifier (letters, digits, _).", nameof(options));
            }
        }

        if (string.IsNullOrEmpty(_options.ParameterPrefix))
        {
            throw new ArgumentException("DbFencedResourceOptions.ParameterPrefix cannot be empty (e.g. @ or :).", nameof(options));
        }

        _dataSource = dataSource;
        _p = _options.ParameterPrefix;
        _sql = _options.Statements ?? DbFenceStatements.For(_options.TableName!, _options.ResourceColumn, _options.TokenColumn, _p);
        if (_options.Statements is { } custom
            && new[] { custom.LockRow, custom.ReadToken, custom.RaiseToken, custom.InsertRow }.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("DbFencedResourceOptions.Statements: every statement must be given.", nameof(options));
        }

        Name = name;
    }

    /// <summary>Creates a fenced resource from a provider factory and a connection string.</summary>
    /// <param name="factory">The provider (e.g. <c>SqliteFactory.Instance</c>, <c>NpgsqlFactory.Instance</c>).</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="name">The resource's name: its row in the fence table.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    public DbFencedResource(DbProviderFactory factory, string connectionString, string name, DbFencedResourceOptions? options = null)
        : this(CreateDataSource(factory, connectionString), name, options)
    {
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Creates the fence table if needed (<see cref="DbFencedResourceOptions.CreateTableSql"/>) and this resource's row.</summary>
    /// <remarks>Call it once before the first write (or create the table in a migration). <see cref="WriteAsync{TResult}"/>
    /// creates a missing row itself, but two concurrent first writers may then see a unique-key error from the loser's
    /// insert (nothing is applied; retry).</remarks>
    /// <param name="cancellationToken">Cancels the DDL.</param>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            DbCommand create = connection.CreateCommand();
            await using (create.ConfigureAwait(false))
            {
                create.CommandText = string.Format(CultureInfo.InvariantCulture, _options.CreateTableSql, _options.TableName, _options.ResourceColumn, _options.TokenColumn);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (await ReadTokenAsync(connection, null, cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await ExecuteAsync(connection, null, _sql.InsertRow, NoToken, cancellationToken).ConfigureAwait(false);
                }
                catch (DbException)
                {
                    // Another writer may have created the row at the same time; anything else is a real failure.
                    if (await ReadTokenAsync(connection, null, cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw;
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<long?> GetHighestTokenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            long? token = await ReadTokenAsync(connection, null, cancellationToken).ConfigureAwait(false);
            return token is null or NoToken ? null : token;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fencingToken"/> is negative.</exception>
    public async Task<TResult> WriteAsync<TResult>(long fencingToken, Func<DbFencedWrite, CancellationToken, Task<TResult>> write, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fencingToken);
        ArgumentNullException.ThrowIfNull(write);
        DbConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            DbTransaction transaction = await connection.BeginTransactionAsync(_options.IsolationLevel, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // The lock first: concurrent writers of this resource queue here until this transaction ends, so the
                // token read next cannot change before the commit.
                await ExecuteAsync(connection, transaction, _sql.LockRow, fencingToken, cancellationToken).ConfigureAwait(false);
                long? highest = await ReadTokenAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                long? previous = highest is null or NoToken ? null : highest;
                if (highest is null)
                {
                    await ExecuteAsync(connection, transaction, _sql.InsertRow, fencingToken, cancellationToken).ConfigureAwait(false);
                }
                else if (highest.Value > fencingToken)
                {
                    await RefuseAsync(connection, transaction, fencingToken, highest.Value, cancellationToken).ConfigureAwait(false);
                }
                else if (highest.Value < fencingToken)
                {
                    await ExecuteAsync(connection, transaction, _sql.RaiseToken, fencingToken, cancellationToken).ConfigureAwait(false);
                }

                TResult result = await write(new DbFencedWrite(connection, transaction, fencingToken, previous, Name, _p), cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    internal static void AddParameter(DbCommand command, string name, object? value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Runs the refusal hook (its rows are committed), or rolls back; then throws.</summary>
    private async Task RefuseAsync(DbConnection connection, DbTransaction transaction, long fencingToken, long highest, CancellationToken cancellationToken)
    {
        if (_options.OnRefused is { } onRefused)
        {
            await onRefused(new DbFencedRefusal(connection, transaction, fencingToken, highest, Name, _p), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }

        throw new FencedOutException(Name, fencingToken, highest);
    }

    private async Task<long?> ReadTokenAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        DbCommand read = connection.CreateCommand();
        await using (read.ConfigureAwait(false))
        {
            read.Transaction = transaction;
            read.CommandText = _sql.ReadToken;
            AddParameter(read, _p + "n", Name);
            object? value = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
    }

    private async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, long token, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            AddParameter(command, _p + "n", Name);
            if (sql.Contains(_p + "t", StringComparison.Ordinal))
            {
                AddParameter(command, _p + "t", token);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DbDataSource CreateDataSource(DbProviderFactory factory, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return factory.CreateDataSource(connectionString);
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeIdentifier();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeColumn();
}
