namespace SmsGateway.Load.Api;

/// <summary>A user's ledger as <c>GET /balance/{userId}</c> and <c>POST /charge</c> return it (minor currency units).</summary>
public sealed record BalanceInfo
{
    public string UserId { get; init; } = "";
    public long Available { get; init; }
    public long Reserved { get; init; }
    public long Spent { get; init; }
}
