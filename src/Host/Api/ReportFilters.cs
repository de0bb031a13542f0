using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Status;
using SmsGateway.Validation;

namespace SmsGateway.Host.Api;

/// <summary>The report filters of <c>GET /report/{userId}</c> (README "Reports"): <c>phone</c>, <c>type</c>, <c>operator</c>, <c>batch_id</c>.</summary>
internal static class ReportFilters
{
    /// <summary>
    /// A query with the filters that are set (user id empty: the caller fills it in); a bad value adds a problem naming
    /// its parameter to <paramref name="errors"/>.
    /// </summary>
    public static ReportQuery Parse(IQueryCollection q, OperatorTable routes, Dictionary<string, string[]> errors)
    {
        string? msisdn = null;
        if (!string.IsNullOrEmpty(q["phone"]))
        {
            if (MsisdnNormalizer.TryNormalize(q["phone"], out var e164, out var error))
            {
                msisdn = e164;
            }
            else
            {
                errors["phone"] = [error!];
            }
        }

        MessageType? type = null;
        string? t = q["type"];
        if (!string.IsNullOrEmpty(t))
        {
            if (string.Equals(t, "express", StringComparison.OrdinalIgnoreCase))
            {
                type = MessageType.Express;
            }
            else if (string.Equals(t, "normal", StringComparison.OrdinalIgnoreCase))
            {
                type = MessageType.Normal;
            }
            else
            {
                errors["type"] = ["type must be \"express\" or \"normal\""];
            }
        }

        string? op = null;
        string? name = q["operator"];
        if (!string.IsNullOrEmpty(name))
        {
            op = routes.FindByName(name)?.Name;
            if (op is null)
            {
                errors["operator"] = [$"operator must be one of {string.Join(", ", routes.Operators.Select(o => o.Name))}"];
            }
        }

        Guid? batch = null;
        if (!string.IsNullOrEmpty(q["batch_id"]))
        {
            if (Guid.TryParse(q["batch_id"], out var b))
            {
                batch = b;
            }
            else
            {
                errors["batch_id"] = ["batch_id must be a batch id (UUID), the batch_id of a POST /send/batch answer"];
            }
        }

        return new ReportQuery(string.Empty, Msisdn: msisdn, Type: type, Operator: op, BatchId: batch);
    }
}
