namespace SmsGateway.Model;

/// <summary>Message id generation.</summary>
public static class MessageIds
{
    /// <summary>A new time-ordered id (UUIDv7, RFC 9562 section 5.7). Thread-safe.</summary>
    public static Guid New() => Guid.CreateVersion7();
}
