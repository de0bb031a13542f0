using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Access;

/// <summary>Default per-account limits (section <c>Auth:Limits</c>). Admin callers are not limited.</summary>
public sealed record LimitSettings
{
    /// <summary>Authenticated requests per second per account, any endpoint. Default 200.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; init; } = 200;

    /// <summary>Accepted messages per second per account. Default 100.</summary>
    [Range(1, 1_000_000)]
    public int MessagesPerSecond { get; init; } = 100;

    /// <summary>Accepted messages per rolling 24 h per account. Default 1 000 000.</summary>
    [Range(1, 1_000_000_000)]
    public int MessagesPerDay { get; init; } = 1_000_000;
}
