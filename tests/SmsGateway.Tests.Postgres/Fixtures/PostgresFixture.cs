using Npgsql;
using SmsGateway.Postgres;

namespace SmsGateway.Tests.Postgres.Fixtures;

/// <summary>One PostgreSQL server for the whole test collection; each test creates its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("server not started");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A fresh database, migrated, with a store over it.</summary>
    public async Task<TestDatabase> CreateMigratedAsync(string prefix)
    {
        var db = await CreateAsync(prefix);
        await db.Store.MigrateAsync(CancellationToken.None);
        return db;
    }

    /// <summary>A fresh empty database with a store over it (not migrated).</summary>
    public async Task<TestDatabase> CreateAsync(string prefix)
    {
        var connectionString = await Server.CreateDatabaseAsync(prefix);
        return new TestDatabase(connectionString);
    }
}

/// <summary>A per-test database: its connection string, a pool for direct SQL checks, and a store.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public TestDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Options = new PostgresOptions { ConnectionString = connectionString };
        Store = new PostgresStatusStore(Options);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public PostgresOptions Options { get; }

    public PostgresStatusStore Store { get; }

    /// <summary>Runs a scalar query.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
