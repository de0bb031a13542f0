using Npgsql;
using NpgsqlTypes;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Postgres;

/// <summary>Batched writes: binary COPY into a per-transaction staging table, then one upsert per target table.</summary>
public sealed partial class PostgresStatusStore
{
    // One staging table per session, emptied at every commit (ON COMMIT DELETE ROWS; a rollback discards its rows too).
    // The store's own pool keeps sessions as they are (No Reset On Close), so the table is created once per physical connection;
    // each batch still sends the IF NOT EXISTS statement (one cheap round trip per batch of up to BatchSize events), which also
    // recreates the table after a rolled-back first batch or under a pool that resets sessions (DISCARD ALL).
    private const string CreateStagingSql = """
        CREATE TEMP TABLE IF NOT EXISTS status_staging (
            message_id uuid NOT NULL, user_id text NOT NULL, status smallint NOT NULL, attempt integer NOT NULL,
            at timestamptz NOT NULL, msisdn text NOT NULL, operator text NOT NULL, type smallint NOT NULL,
            encoding smallint NOT NULL, segments integer NOT NULL, cost bigint NOT NULL, accepted_at timestamptz NOT NULL,
            error_code text NULL, batch_id uuid NULL, text text NULL) ON COMMIT DELETE ROWS
        """;

    private const string CopySql = """
        COPY status_staging (message_id, user_id, status, attempt, at, msisdn, operator, type, encoding, segments, cost, accepted_at, error_code, batch_id, text)
        FROM STDIN (FORMAT BINARY)
        """;

    // One row per message (ON CONFLICT DO UPDATE may touch a row once per statement): the batch's greatest
    // (attempt, status) event; it replaces the stored current status only when greater (the precedence is sms_status_rank,
    // migration 0200, the same as StatusPrecedence.Rank).
    // The descriptive columns come from whichever event created the row. Rows are inserted in id order to keep the lock
    // order of concurrent batches the same (no deadlock between two writers).
    private const string UpsertMessagesSql = """
        INSERT INTO messages AS m (id, user_id, msisdn, operator, type, encoding, segments, cost, accepted_at, status, attempt, updated_at, error_code, batch_id)
        SELECT DISTINCT ON (message_id) message_id, user_id, msisdn, operator, type, encoding, segments, cost, accepted_at, status, attempt, at, error_code, batch_id
        FROM status_staging
        ORDER BY message_id, attempt DESC, sms_status_rank(status) DESC, at DESC
        ON CONFLICT (id) DO UPDATE
            SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, updated_at = EXCLUDED.updated_at, error_code = EXCLUDED.error_code,
                batch_id = COALESCE(m.batch_id, EXCLUDED.batch_id)
            WHERE (EXCLUDED.attempt, sms_status_rank(EXCLUDED.status)) > (m.attempt, sms_status_rank(m.status))
        """;

    private const string InsertEventsSql = """
        INSERT INTO status_events (message_id, status, attempt, at, error_code)
        SELECT message_id, status, attempt, at, error_code
        FROM status_staging
        ORDER BY message_id, status, attempt
        ON CONFLICT (message_id, status, attempt) DO NOTHING
        """;

    // Texts ride only on the accept-time "queued" event of accounts that store them (README "Reports"); set once, whatever
    // event created the row. Sent only when the batch carries a text.
    private const string UpdateTextsSql = """
        UPDATE messages AS m SET text = s.text
        FROM status_staging AS s
        WHERE s.text IS NOT NULL AND m.id = s.message_id AND m.text IS NULL
        """;

    /// <inheritdoc />
    /// <remarks>
    /// One transaction: CREATE TEMP TABLE, binary COPY of the events, upsert into <c>messages</c>, insert into
    /// <c>status_events</c> (ON CONFLICT DO NOTHING), COMMIT. Events may arrive in any order and more than once, within a
    /// batch or across batches. The caller acks the batch's transport messages only after this returns.
    /// </remarks>
    /// <exception cref="ArgumentException">An event has a missing field or a negative number.</exception>
    public async ValueTask WriteBatchAsync(IReadOnlyList<StatusEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        for (var i = 0; i < events.Count; i++)
        {
            Check(events[i], i);
        }

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await CopyAsync(connection, events, cancellationToken).ConfigureAwait(false);

            await using (var upsert = new NpgsqlBatch(connection, transaction))
            {
                upsert.BatchCommands.Add(new NpgsqlBatchCommand(UpsertMessagesSql));
                upsert.BatchCommands.Add(new NpgsqlBatchCommand(InsertEventsSql));
                if (HasText(events))
                {
                    upsert.BatchCommands.Add(new NpgsqlBatchCommand(UpdateTextsSql));
                }
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            PostgresLog.WriteFailed(_logger, e, events.Count);
            throw Unavailable($"writing {events.Count} status events", e);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<StatusEvent> events, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false);
        foreach (var e in events)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.MessageId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.UserId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync((short)e.Status, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Attempt, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.At.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Msisdn, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Operator, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync((short)e.Type, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync((short)e.Encoding, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Segments, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Cost, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.AcceptedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            if (e.ErrorCode is null)
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteAsync(e.ErrorCode, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }

            await WriteNullableAsync(importer, e.BatchId, e.Text, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask WriteNullableAsync(NpgsqlBinaryImporter importer, Guid? batchId, string? text, CancellationToken cancellationToken)
    {
        if (batchId is { } b)
        {
            await importer.WriteAsync(b, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        if (text is null)
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool HasText(IReadOnlyList<StatusEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Text is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static void Check(StatusEvent e, int index)
    {
        if (e is null || string.IsNullOrEmpty(e.UserId) || e.Msisdn is null || e.Operator is null
            || e.Attempt < 0 || e.Segments < 0 || e.Cost < 0
            || !Enum.IsDefined(e.Status) || !Enum.IsDefined(e.Type) || !Enum.IsDefined(e.Encoding))
        {
            throw new ArgumentException($"status event {index} ({e?.MessageId}) has a missing field, an unknown enum value or a negative number", nameof(e));
        }
    }
}
