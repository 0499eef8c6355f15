using System.Data;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace ZkTypedState.Recipes;

/// <summary>Settings of a <see cref="DbFencedResource"/>.</summary>
public sealed class DbFencedResourceOptions
{
    /// <summary>
    /// The fence table: one row per resource name holding the highest token seen. Default <c>zk_fence</c>.
    /// Letters, digits, <c>_</c> and <c>.</c> (for a schema) only.
    /// </summary>
    public string TableName { get; set; } = "zk_fence";

    /// <summary>The provider's parameter marker. Default <c>@</c> (SQLite, SQL Server, PostgreSQL/Npgsql, MySQL); <c>:</c> for Oracle.</summary>
    public string ParameterPrefix { get; set; } = "@";

    /// <summary>The isolation level of the fenced transaction. Default: the provider's.</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.Unspecified;

    /// <summary>
    /// The DDL run by <see cref="DbFencedResource.EnsureCreatedAsync"/>, with <c>{0}</c> for the table name. Default:
    /// <c>CREATE TABLE IF NOT EXISTS {0} (resource_name VARCHAR(200) NOT NULL PRIMARY KEY, fencing_token BIGINT NOT NULL)</c>
    /// (SQLite, PostgreSQL, MySQL/MariaDB). SQL Server and Oracle need their own (or create the table in a migration).
    /// </summary>
    public string CreateTableSql { get; set; } =
        "CREATE TABLE IF NOT EXISTS {0} (resource_name VARCHAR(200) NOT NULL PRIMARY KEY, fencing_token BIGINT NOT NULL)";
}

/// <summary>The open connection and transaction a fenced database write runs in.</summary>
public sealed class DbFencedWrite
{
    internal DbFencedWrite(DbConnection connection, DbTransaction transaction, long fencingToken, string resourceName, string parameterPrefix)
    {
        Connection = connection;
        Transaction = transaction;
        FencingToken = fencingToken;
        ResourceName = resourceName;
        ParameterPrefix = parameterPrefix;
    }

    /// <summary>The connection (do not close it).</summary>
    public DbConnection Connection { get; }

    /// <summary>The transaction the fence row was updated in; every command of the write must be enlisted in it (do not commit it).</summary>
    public DbTransaction Transaction { get; }

    /// <summary>The token the write carries (store it with your rows if you want to know which term wrote them).</summary>
    public long FencingToken { get; }

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

/// <summary>
/// A fenced resource in any ADO.NET database: the guarded write runs in one transaction with an update of the fence
/// row, <c>UPDATE zk_fence SET fencing_token = @t WHERE resource_name = @n AND fencing_token &lt;= @t</c>, which comes
/// first (so concurrent writers queue on the row lock) and must match the row, or the transaction is rolled back and
/// the write refused with <see cref="FencedOutException"/>.
/// </summary>
/// <remarks>
/// <para>Works with any provider whose <see cref="DbProviderFactory"/> or <see cref="DbDataSource"/> you pass in
/// (Microsoft.Data.Sqlite, Npgsql, MySqlConnector, Microsoft.Data.SqlClient…); only the DDL of
/// <see cref="EnsureCreatedAsync"/> varies between databases (<see cref="DbFencedResourceOptions.CreateTableSql"/>).</para>
/// <para>Why it is atomic: the fence update and the guarded write commit or roll back together; the update takes the row's
/// write lock, so a writer with a higher token either waits for a lower one to commit (and then raises the token) or
/// has already raised it (and the lower one matches no row). A lower token therefore never commits anything after a
/// higher one did.</para>
/// <para>When the data itself lives in one row, the same guarantee fits in a single statement without a fence table:
/// keep the token in the row and write <c>UPDATE t SET value = @v, token = @t WHERE id = @id AND token &lt;= @t</c>,
/// treating "0 rows" as fenced out.</para>
/// </remarks>
public sealed partial class DbFencedResource : IFencedResource<DbFencedWrite>
{
    private const long NoToken = -1;
    private readonly DbDataSource _dataSource;
    private readonly DbFencedResourceOptions _options;
    private readonly string _table;
    private readonly string _p;

    /// <summary>Creates a fenced resource over a data source.</summary>
    /// <param name="dataSource">Where connections come from.</param>
    /// <param name="name">The resource's name: its row in the fence table. Writers of the same resource must use the same name.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    public DbFencedResource(DbDataSource dataSource, string name, DbFencedResourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _options = options ?? new DbFencedResourceOptions();
        if (!SafeIdentifier().IsMatch(_options.TableName))
        {
            throw new ArgumentException($"Table name '{_options.TableName}' is not a plain identifier.", nameof(options));
        }

        _dataSource = dataSource;
        _table = _options.TableName;
        _p = _options.ParameterPrefix;
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
    /// <remarks>Call it once before the first write. <see cref="WriteAsync{TResult}"/> creates a missing row itself, but two
    /// concurrent first writers may then see a unique-key error from the loser's insert (nothing is applied; retry).</remarks>
    /// <param name="cancellationToken">Cancels the DDL.</param>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            DbCommand create = connection.CreateCommand();
            await using (create.ConfigureAwait(false))
            {
                create.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, _options.CreateTableSql, _table);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (await ReadTokenAsync(connection, null, cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await InsertRowAsync(connection, null, NoToken, cancellationToken).ConfigureAwait(false);
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
                // The fence first: it takes the row lock, so concurrent writers of this resource are serialized here.
                int matched;
                DbCommand fence = connection.CreateCommand();
                await using (fence.ConfigureAwait(false))
                {
                    fence.Transaction = transaction;
                    fence.CommandText = $"UPDATE {_table} SET fencing_token = {_p}t WHERE resource_name = {_p}n AND fencing_token <= {_p}t";
                    AddParameter(fence, _p + "t", fencingToken);
                    AddParameter(fence, _p + "n", Name);
                    matched = await fence.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (matched != 1)
                {
                    // No row matched: either a higher token was seen, or there is no row yet (or the provider, like MySQL,
                    // counts only changed rows and the token was equal).
                    long? highest = await ReadTokenAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    if (highest is null)
                    {
                        await InsertRowAsync(connection, transaction, fencingToken, cancellationToken).ConfigureAwait(false);
                    }
                    else if (highest.Value > fencingToken)
                    {
                        await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                        throw new FencedOutException(Name, fencingToken, highest.Value);
                    }
                }

                TResult result = await write(new DbFencedWrite(connection, transaction, fencingToken, Name, _p), cancellationToken).ConfigureAwait(false);
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

    private async Task<long?> ReadTokenAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        DbCommand read = connection.CreateCommand();
        await using (read.ConfigureAwait(false))
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT fencing_token FROM {_table} WHERE resource_name = {_p}n";
            AddParameter(read, _p + "n", Name);
            object? value = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private async Task InsertRowAsync(DbConnection connection, DbTransaction? transaction, long token, CancellationToken cancellationToken)
    {
        DbCommand insert = connection.CreateCommand();
        await using (insert.ConfigureAwait(false))
        {
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO {_table} (resource_name, fencing_token) VALUES ({_p}n, {_p}t)";
            AddParameter(insert, _p + "n", Name);
            AddParameter(insert, _p + "t", token);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
}
