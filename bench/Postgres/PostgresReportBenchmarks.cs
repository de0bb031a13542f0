using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;
using SmsGateway.Model;
using SmsGateway.Postgres;
using SmsGateway.Testing;
using SmsGateway.Status;

namespace SmsGateway.Bench.Postgres;

/// <summary>
/// Report query latency over 1,000,000 messages (100 users × 10,000, accepted over 30 days, seeded with binary COPY once into
/// a cluster kept in <c>/tmp/smsgw-pgbench-report</c> so every benchmark process reuses it). Each invocation is one
/// <see cref="PostgresStatusStore.GetReportAsync"/> (counts per status + a page of 100); per-call latencies are recorded and
/// their p50/p99 printed at cleanup (BenchmarkDotNet's own statistics are over iteration means).
/// </summary>
[MemoryDiagnoser]
public class PostgresReportBenchmarks
{
    private const int Messages = 1_000_000;
    private const int Users = 100;
    private const string Database = "bench_report_1m";
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<long> _ticks = new(1 << 20);
    private PostgresServer _server = null!;
    private PostgresStatusStore _store = null!;
    private Guid _deepCursor;
    private int _call;

    /// <summary>
    /// all: counts over all time + newest page; day: counts + page over one day; status: page filtered by status "delivered";
    /// deep: page after a cursor in the middle of the user's history.
    /// </summary>
    [Params("all", "day", "status", "deep")]
    public string Query { get; set; } = "all";

    // Synchronous wrappers: the in-process toolchain (used when the machine is too loaded to build the out-of-process
    // boilerplate in time) does not await async setup methods.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _server = await PostgresServer.StartAsync(Path.Combine(Path.GetTempPath(), "smsgw-pgbench-report"));
        var created = await _server.EnsureDatabaseAsync(Database);
        _store = new PostgresStatusStore(new PostgresOptions { ConnectionString = _server.ConnectionString(Database), CommandTimeoutSeconds = 600 });
        await _store.MigrateAsync(CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(_server.ConnectionString(Database) + ";Command Timeout=600");
        if (created || await CountAsync(dataSource) != Messages)
        {
            await SeedAsync(dataSource);
        }

        var middle = await _store.GetReportAsync(new ReportQuery("user-7", Limit: 1000), CancellationToken.None);
        for (var i = 0; i < 4 && middle.NextCursor is { } c; i++)
        {
            middle = await _store.GetReportAsync(new ReportQuery("user-7", Before: c, Limit: 1000), CancellationToken.None);
        }

        _deepCursor = middle.Messages[^1].Id;
    }

    private async Task CleanupAsync()
    {
        if (_ticks.Count > 0)
        {
            var sorted = _ticks.Order().ToArray();
            double Ms(double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
            Console.WriteLine($"// REPORT-LATENCY query={Query} calls={sorted.Length} p50={Ms(0.50):F3} ms p99={Ms(0.99):F3} ms max={Ms(1.0):F3} ms");
        }

        await _store.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark]
    public async Task<int> Report()
    {
        var user = $"user-{_call++ % Users}";
        var query = Query switch
        {
            "day" => new ReportQuery(user, From: Start.AddDays(10), To: Start.AddDays(11)),
            "status" => new ReportQuery(user, Status: MessageStatus.Delivered),
            "deep" => new ReportQuery("user-7", Before: _deepCursor),
            _ => new ReportQuery(user),
        };
        var started = Stopwatch.GetTimestamp();
        var report = await _store.GetReportAsync(query, CancellationToken.None);
        _ticks.Add(Stopwatch.GetTimestamp() - started);
        return report.Messages.Count;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM messages");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource)
    {
        var watch = Stopwatch.StartNew();
        await using (var truncate = dataSource.CreateCommand("TRUNCATE messages, status_events"))
        {
            await truncate.ExecuteNonQueryAsync();
        }

        var random = new Random(1);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY messages (id, user_id, msisdn, operator, type, encoding, segments, cost, accepted_at, status, attempt, updated_at, error_code) FROM STDIN (FORMAT BINARY)"))
        {
            var span = TimeSpan.FromDays(30).Ticks / Messages;
            for (var i = 0; i < Messages; i++)
            {
                var accepted = Start.AddTicks(span * i);
                var status = random.Next(10) switch { < 4 => MessageStatus.Delivered, < 7 => MessageStatus.Sent, 7 => MessageStatus.Failed, 8 => MessageStatus.Undelivered, _ => MessageStatus.Queued };
                await importer.StartRowAsync();
                await importer.WriteAsync(Guid.CreateVersion7(accepted), NpgsqlDbType.Uuid);
                await importer.WriteAsync($"user-{random.Next(Users)}", NpgsqlDbType.Text);
                await importer.WriteAsync("+98912" + random.Next(1_000_000, 9_999_999), NpgsqlDbType.Text);
                await importer.WriteAsync("MCI", NpgsqlDbType.Text);
                await importer.WriteAsync((short)random.Next(2), NpgsqlDbType.Smallint);
                await importer.WriteAsync((short)random.Next(2), NpgsqlDbType.Smallint);
                await importer.WriteAsync(1 + random.Next(3), NpgsqlDbType.Integer);
                await importer.WriteAsync(120L, NpgsqlDbType.Bigint);
                await importer.WriteAsync(accepted.UtcDateTime, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync((short)status, NpgsqlDbType.Smallint);
                await importer.WriteAsync(1, NpgsqlDbType.Integer);
                await importer.WriteAsync(accepted.AddSeconds(2).UtcDateTime, NpgsqlDbType.TimestampTz);
                if (status == MessageStatus.Failed)
                {
                    await importer.WriteAsync("retries_exhausted", NpgsqlDbType.Text);
                }
                else
                {
                    await importer.WriteNullAsync();
                }
            }

            await importer.CompleteAsync();
        }

        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE messages", connection))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"// seeded {Messages} messages in {watch.Elapsed.TotalSeconds:F1} s");
    }
}
