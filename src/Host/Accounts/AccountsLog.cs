using Microsoft.Extensions.Logging;

namespace SmsGateway.Host.Accounts;

/// <summary>Log events of the account settings (3700-3709).</summary>
internal static partial class AccountsLog
{
    [LoggerMessage(EventId = 3700, Level = LogLevel.Warning,
        Message = "Account settings store unreachable: serving the copy of {UserId} read {AgeSeconds:0} s ago")]
    public static partial void ServingStaleSettings(ILogger logger, string userId, double ageSeconds, Exception exception);
}
