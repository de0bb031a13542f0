using System.Text;
using Npgsql;
using NpgsqlTypes;
using SmsGateway.Model;
using SmsGateway.Scheduling;
using SmsGateway.Serialization;

namespace SmsGateway.Postgres.Scheduling;

/// <summary>
/// <see cref="IScheduleStore"/> in the <c>scheduled_messages</c> table (migration 0200), sharing the status store's
/// connection pool. A release is one transaction: fence check on <c>scheduler_fence</c> (row locked until commit, so
/// releases never overlap), <c>SELECT … FOR UPDATE SKIP LOCKED</c> of the due rows, the caller's publish, then
/// <c>released_at</c> set on exactly those rows, commit.
/// </summary>
/// <remarks>Thread-safe: each call takes its own pooled connection. Released rows are deleted one day after release.</remarks>
public sealed class PostgresScheduleStore(PostgresStatusStore store) : IScheduleStore
{
    private const string SelectDueSql = """
        SELECT id, payload::text FROM scheduled_messages
        WHERE released_at IS NULL AND send_at <= $1
        ORDER BY send_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
        """;

    private long _releases;

    /// <inheritdoc />
    public async ValueTask AddAsync(SmsMessage message, DateTimeOffset sendAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await RunAsync("storing " + message.Id, async () =>
        {
            await using var cmd = store.DataSource.CreateCommand(
                "INSERT INTO scheduled_messages (id, user_id, send_at, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING");
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = message.Id });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.UserId });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = sendAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Encoding.UTF8.GetString(PipelineJson.Serialize(message)), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ScheduledEntry?> FindAsync(Guid messageId, CancellationToken cancellationToken) =>
        await RunAsync("reading " + messageId, async () =>
        {
            await using var cmd = store.DataSource.CreateCommand("SELECT payload::text, send_at, released_at IS NOT NULL FROM scheduled_messages WHERE id = $1");
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new ScheduledEntry(Decode(reader.GetString(0)), reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2));
        }).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(Guid messageId, CancellationToken cancellationToken) =>
        await RunAsync("removing " + messageId, async () =>
        {
            // Waits for a release that holds the row (FOR UPDATE) and then finds it released: never both.
            await using var cmd = store.DataSource.CreateCommand("DELETE FROM scheduled_messages WHERE id = $1 AND released_at IS NULL");
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>One statement outside a transaction, on the partial index of waiting rows (<c>scheduled_messages_due_idx</c>).</remarks>
    public async ValueTask<bool> AnyDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await RunAsync("looking for due messages", async () =>
        {
            await using var cmd = store.DataSource.CreateCommand(
                "SELECT EXISTS (SELECT 1 FROM scheduled_messages WHERE released_at IS NULL AND send_at <= $1)");
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<ScheduleRelease> ReleaseDueAsync(DateTimeOffset now, int max, long fencingToken,
        Func<IReadOnlyList<SmsMessage>, CancellationToken, ValueTask> publish, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentNullException.ThrowIfNull(publish);
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            var ids = new List<Guid>();
            var messages = new List<SmsMessage>();
            try
            {
                connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var fence = new NpgsqlCommand("UPDATE scheduler_fence SET token = $1 WHERE name = 'scheduler' AND token <= $1", connection, transaction))
                {
                    fence.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fencingToken });
                    if (await fence.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        return new ScheduleRelease(0, StaleFencingToken: true);
                    }
                }

                await using (var select = new NpgsqlCommand(SelectDueSql, connection, transaction))
                {
                    select.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
                    await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        ids.Add(reader.GetGuid(0));
                        messages.Add(Decode(reader.GetString(1)));
                    }
                }

                if (messages.Count == 0)
                {
                    await CleanUpAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return new ScheduleRelease(0, false);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw Unavailable("selecting due messages", e);
            }

            await publish(messages, cancellationToken).ConfigureAwait(false); // throws: the transaction rolls back, rows stay waiting

            try
            {
                await using (var mark = new NpgsqlCommand("UPDATE scheduled_messages SET released_at = now() WHERE id = ANY($1)", connection, transaction))
                {
                    mark.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] });
                    await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // Published but not marked: the next release publishes them again with the same de-duplication ids.
                throw Unavailable("marking released messages", e);
            }

            return new ScheduleRelease(messages.Count, false);
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // Released rows are kept a day for owner look-ups (DELETE /messages/{id}); removed about every 10th empty release. An idle
    // scheduler makes an empty release about every 10 s (SchedulerStage.IdleReleaseEvery polls), so about every 100 s.
    private async Task CleanUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _releases) % 10 != 1)
        {
            return;
        }

        await using var cmd = new NpgsqlCommand("DELETE FROM scheduled_messages WHERE released_at < now() - interval '1 day'", connection, transaction);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SmsMessage Decode(string payload) => PipelineJson.DeserializeMessage(Encoding.UTF8.GetBytes(payload));

    private static async Task<T> RunAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw Unavailable(what, e);
        }
    }

    private static ScheduleStoreUnavailableException Unavailable(string what, Exception e) =>
        new($"PostgreSQL schedule store: {what} failed: {e.Message}", e);
}
