namespace SmsGateway.Model;

/// <summary>Message id generation.</summary>
public static class MessageIds
{
    /// <summary>A new time-ordered id (UUIDv7, RFC 9562 section 5.7). Thread-safe.</summary>
    public static Guid New() => Guid.CreateVersion7();

    /// <summary>The creation time encoded in a UUIDv7 (millisecond precision).</summary>
    public static DateTimeOffset TimestampOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long ms = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }
}
