using Microsoft.Extensions.Logging;

namespace SmsGateway.Operators.Smpp;

/// <summary>Source-generated log messages of the SMPP client; event ids 1400-1439 are stable.</summary>
internal static partial class SmppLog
{
    [LoggerMessage(1400, LogLevel.Information, "SMPP {Operator} bind {Bind}: bound as {Command} to {Host}:{Port} (SMSC system_id '{SmscId}')")]
    public static partial void Bound(ILogger logger, string @operator, int bind, string command, string host, int port, string smscId);

    [LoggerMessage(1401, LogLevel.Warning, "SMPP {Operator} bind {Bind}: connect or bind to {Host}:{Port} failed; retrying in {DelayMs} ms")]
    public static partial void BindFailed(ILogger logger, Exception exception, string @operator, int bind, string host, int port, int delayMs);

    [LoggerMessage(1402, LogLevel.Warning, "SMPP {Operator} bind {Bind}: connection closed ({Reason}); reconnecting in {DelayMs} ms")]
    public static partial void Disconnected(ILogger logger, string @operator, int bind, string reason, int delayMs);

    [LoggerMessage(1403, LogLevel.Warning, "SMPP {Operator} bind {Bind}: no answer to enquire_link within {TimeoutMs} ms; the link is dead")]
    public static partial void DeadLink(ILogger logger, string @operator, int bind, int timeoutMs);

    [LoggerMessage(1404, LogLevel.Information, "SMPP {Operator} bind {Bind}: throttled by the SMSC (command_status {Status}); pausing submits {PauseMs} ms")]
    public static partial void Throttled(ILogger logger, string @operator, int bind, string status, int pauseMs);

    [LoggerMessage(1405, LogLevel.Warning, "SMPP {Operator}: could not queue the receipt for operator message id {OperatorMessageId}; answered ESME_RX_T_APPN so the SMSC redelivers it")]
    public static partial void ReceiptSinkFailed(ILogger logger, Exception exception, string @operator, string operatorMessageId);

    [LoggerMessage(1406, LogLevel.Information, "SMPP {Operator}: intermediate receipt ({Stat}) for operator message id {OperatorMessageId} ignored")]
    public static partial void IntermediateReceipt(ILogger logger, string @operator, string? stat, string? operatorMessageId);

    [LoggerMessage(1407, LogLevel.Warning, "SMPP {Operator}: receipt without a message id (neither receipted_message_id nor id: in the text) ignored")]
    public static partial void ReceiptWithoutId(ILogger logger, string @operator);

    [LoggerMessage(1408, LogLevel.Information, "SMPP {Operator}: MO message from {Source} to {Destination} ({Length} characters) with no handler registered")]
    public static partial void MobileOriginatedUnhandled(ILogger logger, string @operator, string source, string destination, int length);

    [LoggerMessage(1409, LogLevel.Warning, "SMPP {Operator}: the MO handler failed; answered ESME_RX_T_APPN")]
    public static partial void MobileOriginatedFailed(ILogger logger, Exception exception, string @operator);

    [LoggerMessage(1410, LogLevel.Warning, "SMPP {Operator} bind {Bind}: protocol error from the SMSC; closing the connection")]
    public static partial void ProtocolError(ILogger logger, Exception exception, string @operator, int bind);

    [LoggerMessage(1411, LogLevel.Information, "SMPP {Operator} bind {Bind}: unbound")]
    public static partial void Unbound(ILogger logger, string @operator, int bind);

    [LoggerMessage(1412, LogLevel.Warning, "SMPP {Operator} bind {Bind}: orderly unbind failed; closing the socket")]
    public static partial void UnbindFailed(ILogger logger, Exception exception, string @operator, int bind);

    [LoggerMessage(1413, LogLevel.Warning, "SMPP {Operator}: message {MessageId} has a sender or text the SMSC cannot take; failed permanently")]
    public static partial void Unencodable(ILogger logger, Exception exception, string @operator, Guid messageId);

    [LoggerMessage(1414, LogLevel.Warning, "SMPP {Operator}: a deliver_sm with no receipt or text could not be parsed; answered it anyway")]
    public static partial void BadDeliverSm(ILogger logger, Exception exception, string @operator);

    [LoggerMessage(1415, LogLevel.Information, "SMPP {Operator}: receipt {Stat} for operator message id {OperatorMessageId} with no receipt sink registered")]
    public static partial void ReceiptWithoutSink(ILogger logger, string @operator, string operatorMessageId, string? stat);

    [LoggerMessage(1416, LogLevel.Error, "SMPP {Operator} bind {Bind}: the read loop failed; closing the connection")]
    public static partial void ReadLoopFailed(ILogger logger, Exception exception, string @operator, int bind);
}
