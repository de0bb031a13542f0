using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using SmsGateway.Postgres;
using SmsGateway.Postgres.Migrations;
using SmsGateway.Status;
using SmsGateway.Tests.Postgres.Fixtures;

namespace SmsGateway.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class MigrationTests(PostgresFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Migrate_twice_applies_once_and_records_version_name_checksum()
    {
        await using var db = await fixture.CreateAsync("mig_idem");
        var all = EmbeddedMigrations.All;
        Assert.Contains(all, m => m.FileName == "0001_initial.sql");

        Assert.Equal(all.Count, await db.Store.MigrateAsync(CancellationToken.None));
        Assert.Equal(0, await db.Store.MigrateAsync(CancellationToken.None));

        await using var command = db.DataSource.CreateCommand("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        foreach (var m in all)
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(m.Version, reader.GetInt32(0));
            Assert.Equal(m.Name, reader.GetString(1));
            Assert.Equal(m.Checksum, reader.GetString(2));
            Assert.True(reader.GetDateTime(3) > DateTime.UtcNow.AddMinutes(-5));
        }

        Assert.False(await reader.ReadAsync());
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM messages"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_migrators_at_once_apply_each_migration_exactly_once()
    {
        await using var db = await fixture.CreateAsync("mig_conc");
        // A slow second migration keeps the first migrator inside the lock while the second one arrives.
        var migrations = EmbeddedMigrations.All.Append(Migration.Create("0002_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE slow_marker (id int);")).ToList();
        await using var a = NpgsqlDataSource.Create(db.ConnectionString);
        await using var b = NpgsqlDataSource.Create(db.ConnectionString);

        var results = await Task.WhenAll(
            Task.Run(() => PostgresMigrator.MigrateAsync(a, migrations, 30_000, null, CancellationToken.None)),
            Task.Run(() => PostgresMigrator.MigrateAsync(b, migrations, 30_000, null, CancellationToken.None)));

        Assert.Equal(migrations.Count, results.Sum());
        Assert.Contains(0, results); // whoever came second found nothing left to do
        Assert.Equal((long)migrations.Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Failing_migration_stops_with_an_error_naming_the_file_and_is_rolled_back()
    {
        await using var db = await fixture.CreateAsync("mig_fail");
        var migrations = EmbeddedMigrations.All
            .Append(Migration.Create("0002_ok.sql", "CREATE TABLE ok_marker (id int);"))
            .Append(Migration.Create("0003_broken.sql", "CREATE TABLE broken_marker (id int);\nSELECT * FROM no_such_table;"))
            .Append(Migration.Create("0004_after.sql", "CREATE TABLE after_marker (id int);"))
            .ToList();
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => PostgresMigrator.MigrateAsync(source, migrations, 30_000, null, CancellationToken.None));

        Assert.Equal("0003_broken.sql", error.FileName);
        Assert.Contains("0003_broken.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(new[] { 1, 2 }, await ReadVersionsAsync(db));
        Assert.False(await db.ScalarAsync<bool>("SELECT to_regclass('ok_marker') IS NULL"));
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('broken_marker') IS NULL"));
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('after_marker') IS NULL"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Edited_applied_migration_is_refused()
    {
        await using var db = await fixture.CreateMigratedAsync("mig_edit");
        var original = EmbeddedMigrations.All[0];
        var edited = new[] { Migration.Create(original.FileName, original.Sql + "\n-- edited after release\n") };

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => PostgresMigrator.MigrateAsync(db.Store.DataSource, edited, 30_000, null, CancellationToken.None));

        Assert.Equal(original.FileName, error.FileName);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddPostgresStatusStore_replaces_the_store_and_migrates_before_other_hosted_services_start()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("mig_di");
        var services = new ServiceCollection();
        services.AddSingleton<IHostedService, ProbeHostedService>();
        services.AddSingleton<IStatusStore, NullStore>();
        services.AddPostgresStatusStore(new PostgresOptions { ConnectionString = connectionString });
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresStatusStore>(provider.GetRequiredService<IStatusStore>());
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Equal("PostgresMigrationHostedService", hosted[0].GetType().Name);
        Assert.IsType<ProbeHostedService>(hosted[1]);

        // What the host does: every StartingAsync, then every StartAsync.
        foreach (var h in hosted.OfType<IHostedLifecycleService>())
        {
            await h.StartingAsync(CancellationToken.None);
        }

        await using var check = NpgsqlDataSource.Create(connectionString);
        await using var command = check.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)EmbeddedMigrations.All.Count, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact] // synchronous, no server: xunit timeouts only apply to async tests
    public void Invalid_options_are_rejected_naming_the_key()
    {
        var services = new ServiceCollection();
        var missing = Assert.Throws<ArgumentException>(() => services.AddPostgresStatusStore(new PostgresOptions()));
        Assert.Contains("Postgres:ConnectionString", missing.Message, StringComparison.Ordinal);
        var batch = Assert.Throws<ArgumentException>(() => services.AddPostgresStatusStore(new PostgresOptions { ConnectionString = "Host=x", BatchSize = 0 }));
        Assert.Contains("Postgres:BatchSize", batch.Message, StringComparison.Ordinal);
        var age = Assert.Throws<ArgumentException>(() => new PostgresOptions { ConnectionString = "Host=x", MaxBatchAgeMs = -1 }.Validate());
        Assert.Contains("Postgres:MaxBatchAgeMs", age.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => new PostgresOptions { ConnectionString = "Nonsense Key=1" }.Validate());
        Assert.Contains("Postgres:ConnectionString", bad.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    private static async Task<int[]> ReadVersionsAsync(TestDatabase db)
    {
        var versions = new List<int>();
        await using var command = db.DataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return [.. versions];
    }

    private sealed class ProbeHostedService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NullStore : IStatusStore
    {
        public ValueTask WriteBatchAsync(IReadOnlyList<Model.StatusEvent> events, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<UserReport> GetReportAsync(ReportQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<MessageHistory?> GetMessageAsync(Guid messageId, string? userId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<BatchCounts?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<MessageSummary> ExportAsync(ExportQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
