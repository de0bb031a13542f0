using Microsoft.Extensions.Logging;

namespace SmsGateway.Host.Accounts;

/// <summary>Log events of templates, block lists, opt-outs and the operator table file (7250-7299).</summary>
internal static partial class BlockListLog
{
    [LoggerMessage(EventId = 7252, Level = LogLevel.Information,
        Message = "Opt-out from {Msisdn} to {Destination} ({Operator}) added to the block list of {UserId}")]
    public static partial void OptedOut(ILogger logger, string msisdn, string destination, string @operator, string userId);

    [LoggerMessage(EventId = 7253, Level = LogLevel.Information,
        Message = "Opt-out from {Source} to {Destination} ({Operator}) ignored: {Reason}")]
    public static partial void OptOutIgnored(ILogger logger, string source, string destination, string @operator, string reason);

    [LoggerMessage(EventId = 7254, Level = LogLevel.Debug,
        Message = "Mobile-originated message from {Source} to {Destination} ({Operator}) is not an opt-out ({Length} characters)")]
    public static partial void NotAnOptOut(ILogger logger, string source, string destination, string @operator, int length);

    [LoggerMessage(EventId = 7255, Level = LogLevel.Information, Message = "Block list {List}: {Msisdn} {Change} by an admin")]
    public static partial void ListChanged(ILogger logger, string list, string msisdn, string change);

    [LoggerMessage(EventId = 7256, Level = LogLevel.Information, Message = "Template {UserId}/{Name} {Change}")]
    public static partial void TemplateChanged(ILogger logger, string userId, string name, string change);

    [LoggerMessage(EventId = 7257, Level = LogLevel.Information, Message = "Operator table: loading and watching {Path}")]
    public static partial void WatchingOperatorTable(ILogger logger, string path);
}
