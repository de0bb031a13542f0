using System.Runtime.CompilerServices;
using Npgsql;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Postgres;

/// <summary>Batch counts (<c>GET /batches/{id}</c>) and the streamed CSV export (<c>GET /reports/{userId}/export.csv</c>).</summary>
public sealed partial class PostgresStatusStore
{
    /// <inheritdoc />
    /// <remarks>One statement over <c>messages_batch_idx</c> (migration 0100), index-only for the status.</remarks>
    public async ValueTask<BatchCounts?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand(
                "SELECT status, count(*), min(user_id) FROM messages WHERE batch_id = $1 GROUP BY status");
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = batchId });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var counts = AllStatuses.ToDictionary(s => s, _ => 0L);
            string? userId = null;
            long total = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var n = reader.GetInt64(1);
                counts[(MessageStatus)reader.GetInt16(0)] = n;
                total += n;
                userId ??= reader.GetString(2);
            }

            return userId is null ? null : new BatchCounts(batchId, userId, counts, total);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            PostgresLog.QueryFailed(_logger, e);
            throw Unavailable("batch query", e);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One statement read row by row (<c>CommandBehavior.SequentialAccess</c>), oldest first by id over
    /// <c>messages_user_accepted_idx</c>; Npgsql buffers only its read buffer, so memory stays flat whatever the range holds.
    /// The connection is held until the enumeration ends or is disposed.
    /// </remarks>
    public async IAsyncEnumerable<MessageSummary> ExportAsync(ExportQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.UserId, nameof(query));
        NpgsqlConnection? connection = null;
        NpgsqlCommand? cmd = null;
        NpgsqlDataReader? reader = null;
        try
        {
            try
            {
                connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                cmd = new NpgsqlCommand($"SELECT {SummaryColumns} FROM messages WHERE user_id = $1 AND accepted_at >= $2 AND accepted_at < $3 ORDER BY accepted_at, id", connection);
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.UserId });
                cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = query.From.UtcDateTime });
                cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = query.To.UtcDateTime });
                reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
            {
                PostgresLog.QueryFailed(_logger, e);
                throw Unavailable("export query", e);
            }

            while (true)
            {
                MessageSummary row;
                try
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    row = ReadSummary(reader);
                }
                catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
                {
                    PostgresLog.QueryFailed(_logger, e);
                    throw Unavailable("export read", e);
                }

                yield return row;
            }
        }
        finally
        {
            if (reader is not null) await reader.DisposeAsync().ConfigureAwait(false);
            if (cmd is not null) await cmd.DisposeAsync().ConfigureAwait(false);
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
