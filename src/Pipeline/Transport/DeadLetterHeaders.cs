namespace SmsGateway.Transport;

/// <summary>Headers a transport adds to a dead-lettered message (and strips again when it is replayed).</summary>
public static class DeadLetterHeaders
{
    /// <summary>The topic the message was consumed from (one of <see cref="Model.Topics"/>).</summary>
    public const string Topic = "sms-dead-topic";

    /// <summary>Why it was dead-lettered (<see cref="IDelivery.DeadLetterAsync"/>'s reason).</summary>
    public const string Reason = "sms-dead-reason";

    /// <summary>When it was dead-lettered, ms since the Unix epoch (decimal).</summary>
    public const string At = "sms-dead-at";

    /// <summary>Deliveries of the message before it was dead-lettered (decimal).</summary>
    public const string Deliveries = "sms-dead-deliveries";

    /// <summary>True for the names above: replay leaves them out of the republished message.</summary>
    public static bool IsDeadLetterHeader(string name) => name.StartsWith("sms-dead-", StringComparison.Ordinal);
}
