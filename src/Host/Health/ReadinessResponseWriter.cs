using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SmsGateway.Host.Health;

/// <summary>
/// Writes a <see cref="HealthReport"/> as JSON: <c>{"status":"unhealthy","checks":[{"name":"broker","status":"unhealthy",
/// "description":"not connected","duration_ms":0.4}]}</c>, statuses in lower case. Descriptions come from the checks, which
/// keep endpoints out of them; a check that threw shows "check failed", never the exception text.
/// </summary>
internal static class ReadinessResponseWriter
{
    /// <summary>The response writer for <c>HealthCheckOptions.ResponseWriter</c>.</summary>
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", Name(entry.Status));
            json.WriteString("description", entry.Exception is null ? entry.Description : "check failed");
            json.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
