namespace SmsGateway.Load.Api;

/// <summary>One message as <c>GET /report</c> lists it and <c>GET /messages/{id}</c> shows it.</summary>
public sealed record MessageInfo
{
    public string Id { get; init; } = "";
    public string UserId { get; init; } = "";
    public string Phone { get; init; } = "";
    public string? Operator { get; init; }
    public string? Type { get; init; }
    public int Segments { get; init; }
    public string? Encoding { get; init; }
    public long Cost { get; init; }
    public string Status { get; init; } = "";
    public int Attempt { get; init; }
    public DateTimeOffset AcceptedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? ErrorCode { get; init; }
}
