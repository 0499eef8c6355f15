using System.Data;

namespace ZkTypedState.Recipes;

/// <summary>Settings of a <see cref="DbFencedResource"/>.</summary>
/// <remarks>Table and column names must be plain identifiers (letters, digits, <c>_</c>; a table may have one
/// <c>schema.</c> prefix): they are written into the SQL, everything else is a parameter.</remarks>
public sealed class DbFencedResourceOptions
{
    /// <summary>The fence table: one row per resource name holding the highest token seen. Default <c>zk_fence</c>.</summary>
    public string TableName { get; set; } = "zk_fence";

    /// <summary>The column holding the resource name (the key). Default <c>resource_name</c>.</summary>
    public string ResourceColumn { get; set; } = "resource_name";

    /// <summary>The column holding the highest token seen (a 64-bit integer). Default <c>fencing_token</c>.</summary>
    public string TokenColumn { get; set; } = "fencing_token";

    /// <summary>The provider's parameter marker. Default <c>@</c> (SQLite, SQL Server, PostgreSQL/Npgsql, MySQL); <c>:</c> for Oracle.</summary>
    public string ParameterPrefix { get; set; } = "@";

    /// <summary>The isolation level of the fenced transaction. Default: the provider's.</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.Unspecified;

    /// <summary>
    /// The DDL run by <see cref="DbFencedResource.EnsureCreatedAsync"/>, with <c>{0}</c> for the table, <c>{1}</c> for the
    /// resource column and <c>{2}</c> for the token column. Default:
    /// <c>CREATE TABLE IF NOT EXISTS {0} ({1} VARCHAR(200) NOT NULL PRIMARY KEY, {2} BIGINT NOT NULL)</c>
    /// (SQLite, PostgreSQL, MySQL/MariaDB). SQL Server and Oracle need their own (see the recipes README), or create the
    /// table in a migration and never call <see cref="DbFencedResource.EnsureCreatedAsync"/>.
    /// </summary>
    public string CreateTableSql { get; set; } =
        "CREATE TABLE IF NOT EXISTS {0} ({1} VARCHAR(200) NOT NULL PRIMARY KEY, {2} BIGINT NOT NULL)";

    /// <summary>
    /// Replaces the generated statements (a dialect hook, e.g. a fence kept in a column of an existing table). Null (the
    /// default) generates them from <see cref="TableName"/>, <see cref="ResourceColumn"/> and <see cref="TokenColumn"/>.
    /// </summary>
    public DbFenceStatements? Statements { get; set; }

    /// <summary>
    /// Runs inside the fenced transaction when a write is refused (its token is below the highest seen), before the
    /// <see cref="FencedOutException"/> is thrown: use it to record the attempt in an audit table of the same database.
    /// What it writes is <b>committed</b> (the guarded write never ran and the fence row was not changed, so the hook's rows
    /// are the transaction's only changes: rolling back would erase the audit trail). Throw from it to roll back instead.
    /// </summary>
    public Func<DbFencedRefusal, CancellationToken, Task>? OnRefused { get; set; }

    internal DbFencedResourceOptions Clone() => (DbFencedResourceOptions)MemberwiseClone();
}

/// <summary>
/// The four statements a <see cref="DbFencedResource"/> runs, for schemas the generated ones do not fit. Use
/// <c>{p}n</c> for the resource name and <c>{p}t</c> for the token, where <c>{p}</c> is the parameter marker
/// (write <c>@n</c> and <c>@t</c> with the default marker).
/// </summary>
/// <param name="LockRow">Takes the fence row's write lock without changing it, e.g. <c>UPDATE zk_fence SET fencing_token = fencing_token WHERE resource_name = @n</c>.</param>
/// <param name="ReadToken">Reads the highest token (one scalar, none when there is no row), e.g. <c>SELECT fencing_token FROM zk_fence WHERE resource_name = @n</c>.</param>
/// <param name="RaiseToken">Records a higher token, e.g. <c>UPDATE zk_fence SET fencing_token = @t WHERE resource_name = @n</c>.</param>
/// <param name="InsertRow">Creates the row, e.g. <c>INSERT INTO zk_fence (resource_name, fencing_token) VALUES (@n, @t)</c>.</param>
public sealed record DbFenceStatements(string LockRow, string ReadToken, string RaiseToken, string InsertRow)
{
    internal static DbFenceStatements For(string table, string resourceColumn, string tokenColumn, string p) => new(
        $"UPDATE {table} SET {tokenColumn} = {tokenColumn} WHERE {resourceColumn} = {p}n",
        $"SELECT {tokenColumn} FROM {table} WHERE {resourceColumn} = {p}n",
        $"UPDATE {table} SET {tokenColumn} = {p}t WHERE {resourceColumn} = {p}n",
        $"INSERT INTO {table} ({resourceColumn}, {tokenColumn}) VALUES ({p}n, {p}t)");
}
