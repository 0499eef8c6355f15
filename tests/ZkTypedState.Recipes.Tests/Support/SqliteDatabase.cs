using Microsoft.Data.Sqlite;

namespace ZkTypedState.Recipes.Tests.Support;

/// <summary>A throwaway SQLite database file with a fenced resource table and a data table.</summary>
public sealed class SqliteDatabase : IDisposable
{
    public SqliteDatabase()
    {
        FilePath = Path.Combine(Path.GetTempPath(), $"zkts-fencing-{Guid.NewGuid():N}.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public DbFencedResource Resource(string name = "orders") => new(SqliteFactory.Instance, ConnectionString, name);

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (string file in new[] { FilePath, FilePath + "-journal", FilePath + "-wal", FilePath + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }
}
