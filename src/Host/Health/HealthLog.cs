using Microsoft.Extensions.Logging;

namespace SmsGateway.Host.Health;

/// <summary>Log lines of the readiness checks (event ids 3600-3609).</summary>
internal sealed partial class HealthLog(ILogger<HealthLog> logger)
{
    /// <summary>A dependency became unusable; <paramref name="reason"/> may name its endpoint.</summary>
    public void Down(string check, string reason) => Down(logger, check, reason);

    /// <summary>A dependency is usable (again).</summary>
    public void Up(string check, string description) => Up(logger, check, description);

    [LoggerMessage(EventId = 3600, Level = LogLevel.Warning, Message = "Readiness check {Check} is unhealthy: {Reason}")]
    private static partial void Down(ILogger logger, string check, string reason);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Readiness check {Check} is healthy: {Description}")]
    private static partial void Up(ILogger logger, string check, string description);
}
