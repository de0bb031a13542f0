using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SmsGateway.Host.Access;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary>
/// <c>GET /reports/{userId}/export.csv?from=&amp;to=</c> (owner or admin, README "Reports"): the user's messages accepted in
/// [from, to), oldest first, as RFC 4180 CSV (UTF-8, CRLF, header line), written while the store streams the rows.
/// </summary>
public static partial class ReportExportApi
{
    /// <summary>Widest range of one export: 31 days.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>The header line's columns, in order.</summary>
    public const string Header = "id,user_id,batch_id,phone,operator,type,segments,encoding,cost,status,attempt,accepted_at,updated_at,error_code,text";

    private const int FlushEveryRows = 500;

    /// <summary>Maps the endpoint (reporter role).</summary>
    public static IEndpointRouteBuilder MapReportExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/{userId}/export.csv", ExportAsync)
            .WithName("ReportExport")
            .WithSummary("The user's messages of a time range as CSV, streamed")
            .WithDescription("Query: from and to (RFC 3339 with an offset, e.g. 2026-12-01T00:00:00Z; on accept time, to exclusive; at most 31 days apart). " +
                $"text/csv (RFC 4180, UTF-8, CRLF) with the header {Header}; text is empty unless the account stores texts.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AccessPolicies.Client)
            .AddEndpointFilter<OwnerFilter>()
            .WithMetadata(ServedOn.Report);
        return app;
    }

    internal static async Task<IResult> ExportAsync(HttpContext context, string userId, IStatusStore store, ILoggerFactory loggers)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!SendValidator.IsValidUserId(userId))
        {
            errors["userId"] = [$"userId must be {SendValidator.UserIdRule}"];
        }

        var from = ParseRfc3339(context.Request.Query["from"], "from", errors);
        var to = ParseRfc3339(context.Request.Query["to"], "to", errors);
        if (from is { } f && to is { } t)
        {
            if (t <= f)
            {
                errors["to"] = ["to must be after from"];
            }
            else if (t - f > MaxRange)
            {
                errors["to"] = [$"the range from..to must be at most {MaxRange.TotalDays:0} days; export longer periods in parts"];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var rows = store.ExportAsync(new ExportQuery(userId, from!.Value, to!.Value), context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
        bool any;
        try
        {
            // The first row is read before answering, so a store that is down is still a 503 rather than a cut-off 200.
            any = await rows.MoveNextAsync();
        }
        catch (StatusStoreUnavailableException ex)
        {
            await rows.DisposeAsync();
            return Problems.Unavailable(context, "the status store is unavailable; retry later", ex);
        }

        return new CsvStream(rows, any, $"messages-{userId}-{from.Value.UtcDateTime:yyyyMMddTHHmmssZ}-{to.Value.UtcDateTime:yyyyMMddTHHmmssZ}.csv",
            loggers.CreateLogger("SmsGateway.Host.Api"));
    }

    private static DateTimeOffset? ParseRfc3339(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors[field] = [$"{field} is required: an RFC 3339 time such as 2026-12-01T00:00:00Z"];
            return null;
        }

        if (Rfc3339().IsMatch(value) &&
            DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        errors[field] = [$"{field} must be an RFC 3339 time with an offset, such as 2026-12-01T00:00:00Z"];
        return null;
    }

    // RFC 3339 section 5.6 date-time: full-date "T" full-time, time-offset Z or +hh:mm / -hh:mm required.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    /// <summary>Writes the rows as they come; a store failure after the first bytes aborts the response (never a silently short file).</summary>
    private sealed class CsvStream(IAsyncEnumerator<MessageSummary> rows, bool hasFirst, string fileName, ILogger logger) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            await using var _ = rows;
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/csv; charset=utf-8; header=present";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 16 * 1024);
            var line = new StringBuilder(256);
            await writer.WriteAsync(Header + "\r\n");
            int written = 0;
            try
            {
                for (bool more = hasFirst; more; more = await rows.MoveNextAsync())
                {
                    line.Clear();
                    Format(line, rows.Current);
                    await writer.WriteAsync(line);
                    if (++written % FlushEveryRows == 0)
                    {
                        await writer.FlushAsync(context.RequestAborted);
                    }
                }

                await writer.FlushAsync(context.RequestAborted);
            }
            catch (StatusStoreUnavailableException ex)
            {
                ProblemLog.ExportAborted(logger, ex, written, context.TraceIdentifier);
                context.Abort();
            }
        }

        private static void Format(StringBuilder line, MessageSummary m)
        {
            var inv = CultureInfo.InvariantCulture;
            line.Append(m.Id.ToString()).Append(',');
            CsvField.Append(line, m.UserId);
            line.Append(',').Append(m.BatchId?.ToString()).Append(',');
            CsvField.Append(line, m.Msisdn);
            line.Append(',');
            CsvField.Append(line, m.Operator);
            line.Append(',').Append(m.Type.ToWireName()).Append(',').Append(m.Segments.ToString(inv)).Append(',').Append(m.Encoding.ToWireName())
                .Append(',').Append(m.Cost.ToString(inv)).Append(',').Append(m.Status.ToWireName()).Append(',').Append(m.Attempt.ToString(inv))
                .Append(',').Append(m.AcceptedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", inv))
                .Append(',').Append(m.UpdatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", inv)).Append(',');
            CsvField.Append(line, m.ErrorCode);
            line.Append(',');
            CsvField.Append(line, m.Text);
            line.Append("\r\n");
        }
    }
}
