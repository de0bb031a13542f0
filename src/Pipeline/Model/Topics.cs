namespace SmsGateway.Model;

/// <summary>
/// The topic names of the flow (DESIGN.md "The flow"). Transports that need other spellings (NATS subjects with dots)
/// map these names in one place of their own.
/// </summary>
public static class Topics
{
    /// <summary>Express messages awaiting dispatch.</summary>
    public const string Express = "sms-express";

    /// <summary>Normal messages awaiting dispatch.</summary>
    public const string Normal = "sms-normal";

    /// <summary>Messages whose last attempt failed transiently, waiting for their next attempt.</summary>
    public const string DeadLetter = "sms-dlq";

    /// <summary>Status events for the status store.</summary>
    public const string Status = "sms-status";

    /// <summary>Status callbacks waiting to be POSTed to clients (at least once, retried with backoff).</summary>
    public const string Callback = "sms-callback";

    /// <summary>All five topics.</summary>
    public static IReadOnlyList<string> All { get; } = [Express, Normal, DeadLetter, Status, Callback];

    /// <summary>The dispatch topic for a message type.</summary>
    public static string ForType(MessageType type) => type == MessageType.Express ? Express : Normal;
}
