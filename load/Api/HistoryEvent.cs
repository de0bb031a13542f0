namespace SmsGateway.Load.Api;

/// <summary>One status change of a message, as <c>GET /messages/{id}</c> returns it.</summary>
public sealed record HistoryEvent
{
    public string Status { get; init; } = "";
    public int Attempt { get; init; }
    public DateTimeOffset At { get; init; }
    public string? ErrorCode { get; init; }
}
