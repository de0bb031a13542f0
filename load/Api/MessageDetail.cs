namespace SmsGateway.Load.Api;

/// <summary>The answer of <c>GET /messages/{id}</c>: the message and its status history (oldest first).</summary>
public sealed record MessageDetail
{
    public MessageInfo Message { get; init; } = new();
    public List<HistoryEvent> History { get; init; } = [];
}
