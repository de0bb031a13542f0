namespace SmsGateway.Load.Api;

/// <summary>One page of <c>GET /report/{userId}</c>: per-status counts of the whole user, messages newest first, and the keyset cursor for the next page (null at the end).</summary>
public sealed record ReportPage
{
    public string UserId { get; init; } = "";
    public Dictionary<string, long> Counts { get; init; } = [];
    public List<MessageInfo> Messages { get; init; } = [];
    public string? NextCursor { get; init; }
}
