using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;
using SmsGateway.Model;
using SmsGateway.Postgres;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Postgres;

/// <summary>
/// Status events/s into PostgreSQL: the store's batched binary COPY + upsert versus one INSERT round trip per event
/// (baseline: the same message upsert + event insert, autocommit). Each invocation writes <see cref="Events"/> new events
/// (Events/4 messages × accepted, queued, sending, sent); results are per event (OperationsPerInvoke), so
/// events/s = 1e9 / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class PostgresStatusWriteBenchmarks
{
    private const string UpsertMessageSql = """
        INSERT INTO messages AS m (id, user_id, msisdn, operator, type, encoding, segments, cost, accepted_at, status, attempt, updated_at, error_code)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (id) DO UPDATE
            SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, updated_at = EXCLUDED.updated_at, error_code = EXCLUDED.error_code
            WHERE (EXCLUDED.attempt, EXCLUDED.status) > (m.attempt, m.status)
        """;

    private const string InsertEventSql =
        "INSERT INTO status_events (message_id, status, attempt, at, error_code) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

    private PostgresServer _server = null!;
    private PostgresStatusStore _store = null!;
    private NpgsqlDataSource _dataSource = null!;
    private long _sequence;

    /// <summary>Events per invocation (= the store's batch size).</summary>
    [Params(1000)]
    public int Events { get; set; }

    // Synchronous wrappers: the in-process toolchain (used when the machine is too loaded to build the out-of-process
    // boilerplate in time) does not await async setup methods.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _server = await PostgresServer.StartAsync();
        await _server.EnsureDatabaseAsync("bench_write");
        var options = new PostgresOptions { ConnectionString = _server.ConnectionString("bench_write"), BatchSize = Events };
        _store = new PostgresStatusStore(options);
        await _store.MigrateAsync(CancellationToken.None);
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    private async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        await _dataSource.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1000)]
    public async Task OneInsertPerEvent()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        foreach (var e in NextEvents())
        {
            // One round trip per event (message upsert + event insert, one implicit transaction).
            await using var batch = new NpgsqlBatch(connection);
            var command = new NpgsqlBatchCommand(UpsertMessageSql);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.MessageId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.UserId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Msisdn });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Operator });
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)e.Type });
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)e.Encoding });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = e.Segments });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Cost });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = e.AcceptedAt.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)e.Status });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = e.Attempt });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = e.At.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)e.ErrorCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            var insert = new NpgsqlBatchCommand(InsertEventSql);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.MessageId });
            insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)e.Status });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = e.Attempt });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = e.At.UtcDateTime });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)e.ErrorCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
            batch.BatchCommands.Add(insert);
            await batch.ExecuteNonQueryAsync();
        }
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public async Task BatchedCopyUpsert() => await _store.WriteBatchAsync(NextEvents(), CancellationToken.None);

    private List<StatusEvent> NextEvents()
    {
        var list = new List<StatusEvent>(Events);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Events / 4; i++)
        {
            var n = Interlocked.Increment(ref _sequence);
            var id = Guid.CreateVersion7(now);
            var user = $"user-{n % 100}";
            StatusEvent Make(MessageStatus status, int attempt, int ms) =>
                new(id, user, status, attempt, now.AddMilliseconds(ms), "+989121234567", "MCI", MessageType.Normal, SmsEncoding.Gsm7, 1, 120, now);
            list.Add(Make(MessageStatus.Accepted, 0, 0));
            list.Add(Make(MessageStatus.Queued, 0, 1));
            list.Add(Make(MessageStatus.Sending, 1, 2));
            list.Add(Make(MessageStatus.Sent, 1, 3));
        }

        return list;
    }
}
