using System.Text;
using Npgsql;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Postgres;

/// <summary>Report queries: counts per current status, keyset-paginated message list, one message's history.</summary>
public sealed partial class PostgresStatusStore
{
    private const string SummaryColumns =
        "id, user_id, msisdn, operator, type, encoding, segments, cost, accepted_at, status, attempt, updated_at, error_code, batch_id, text";

    private static readonly MessageStatus[] AllStatuses = Enum.GetValues<MessageStatus>();

    /// <inheritdoc />
    /// <remarks>
    /// Counts use <c>messages_user_accepted_idx</c> (index-only over [From, To)); the page is <c>ORDER BY id DESC</c>
    /// (UUIDv7, newest first) with <c>id &lt; Before</c> as the keyset cursor, served by <c>messages_user_status_id_idx</c>
    /// or <c>messages_user_id_idx</c>. Both statements go in one round trip.
    /// </remarks>
    /// <exception cref="ArgumentException">Empty user id, <c>Limit</c> outside 1..1000, or From after To.</exception>
    public async ValueTask<UserReport> GetReportAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.UserId, nameof(query));
        if (query.Limit is < 1 or > 1000)
        {
            throw new ArgumentException($"Limit must be within 1..1000; it is {query.Limit}.", nameof(query));
        }

        if (query.From is { } f && query.To is { } t && f > t)
        {
            throw new ArgumentException("From must not be after To.", nameof(query));
        }

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(CountsCommand(query));
            batch.BatchCommands.Add(PageCommand(query));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

            var counts = AllStatuses.ToDictionary(s => s, _ => 0L);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counts[(MessageStatus)reader.GetInt16(0)] = reader.GetInt64(1);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var messages = new List<MessageSummary>(Math.Min(query.Limit + 1, 128));
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messages.Add(ReadSummary(reader));
            }

            Guid? next = null;
            if (messages.Count > query.Limit)
            {
                messages.RemoveAt(messages.Count - 1);
                next = messages[^1].Id;
            }

            return new UserReport(query.UserId, counts, messages, next);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            PostgresLog.QueryFailed(_logger, e);
            throw Unavailable("report query", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<MessageHistory?> GetMessageAsync(Guid messageId, string? userId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection);
            var message = new NpgsqlBatchCommand(
                $"SELECT {SummaryColumns} FROM messages WHERE id = $1" + (userId is null ? string.Empty : " AND user_id = $2"));
            message.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            if (userId is not null)
            {
                message.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
            }

            var history = new NpgsqlBatchCommand(
                "SELECT status, attempt, at, error_code FROM status_events WHERE message_id = $1 ORDER BY at, attempt, status");
            history.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            batch.BatchCommands.Add(message);
            batch.BatchCommands.Add(history);

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var summary = ReadSummary(reader);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var events = new List<StatusEvent>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(new StatusEvent(
                    summary.Id, summary.UserId, (MessageStatus)reader.GetInt16(0), reader.GetInt32(1),
                    reader.GetFieldValue<DateTimeOffset>(2), summary.Msisdn, summary.Operator, summary.Type, summary.Encoding,
                    summary.Segments, summary.Cost, summary.AcceptedAt, reader.IsDBNull(3) ? null : reader.GetString(3)));
            }

            return MessageHistory.Of(summary, events);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            PostgresLog.QueryFailed(_logger, e);
            throw Unavailable("message query", e);
        }
    }

    private static NpgsqlBatchCommand CountsCommand(ReportQuery query)
    {
        var command = new NpgsqlBatchCommand();
        var sql = new StringBuilder("SELECT status, count(*) FROM messages WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.UserId });
        AddTimeRange(command, sql, query);
        AddFilters(command, sql, query);
        sql.Append(" GROUP BY status");
        command.CommandText = sql.ToString();
        return command;
    }

    private static NpgsqlBatchCommand PageCommand(ReportQuery query)
    {
        var command = new NpgsqlBatchCommand();
        var sql = new StringBuilder($"SELECT {SummaryColumns} FROM messages WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.UserId });
        if (query.Status is { } status)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)status });
            sql.Append(" AND status = $").Append(command.Parameters.Count);
        }

        AddTimeRange(command, sql, query);
        AddFilters(command, sql, query);
        if (query.Before is { } before)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = before });
            sql.Append(" AND id < $").Append(command.Parameters.Count);
        }

        // One extra row tells whether another page follows.
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit + 1 });
        sql.Append(" ORDER BY id DESC LIMIT $").Append(command.Parameters.Count);
        command.CommandText = sql.ToString();
        return command;
    }

    // Only the bounds that are set become predicates, so the planner sees plain range conditions (no "IS NULL OR").
    private static void AddTimeRange(NpgsqlBatchCommand command, StringBuilder sql, ReportQuery query)
    {
        if (query.From is { } from)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = from.UtcDateTime });
            sql.Append(" AND accepted_at >= $").Append(command.Parameters.Count);
        }

        if (query.To is { } to)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = to.UtcDateTime });
            sql.Append(" AND accepted_at < $").Append(command.Parameters.Count);
        }
    }

    // Phone, type, operator and batch filters (README "Reports"): each one set becomes one equality predicate.
    private static void AddFilters(NpgsqlBatchCommand command, StringBuilder sql, ReportQuery query)
    {
        if (query.Msisdn is { } msisdn)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = msisdn });
            sql.Append(" AND msisdn = $").Append(command.Parameters.Count);
        }

        if (query.Type is { } type)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)type });
            sql.Append(" AND type = $").Append(command.Parameters.Count);
        }

        if (query.Operator is { } op)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = op });
            sql.Append(" AND operator = $").Append(command.Parameters.Count);
        }

        if (query.BatchId is { } batch)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = batch });
            sql.Append(" AND batch_id = $").Append(command.Parameters.Count);
        }
    }

    private static MessageSummary ReadSummary(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        (MessageType)reader.GetInt16(4),
        (SmsEncoding)reader.GetInt16(5),
        reader.GetInt32(6),
        reader.GetInt64(7),
        reader.GetFieldValue<DateTimeOffset>(8),
        (MessageStatus)reader.GetInt16(9),
        reader.GetInt32(10),
        reader.GetFieldValue<DateTimeOffset>(11),
        reader.IsDBNull(12) ? null : reader.GetString(12),
        reader.IsDBNull(13) ? null : reader.GetGuid(13),
        reader.IsDBNull(14) ? null : reader.GetString(14));
}
