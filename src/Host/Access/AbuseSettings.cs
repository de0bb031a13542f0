using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Access;

/// <summary>Per-IP protection and Kestrel limits (section <c>Auth:Abuse</c>).</summary>
public sealed record AbuseSettings
{
    /// <summary>Anonymous and failed-auth requests per IP per second (fixed window). Default 20.</summary>
    [Range(1, 1_000_000)]
    public int AnonymousPerIpPerSecond { get; init; } = 20;

    /// <summary>Authentication failures from one IP within <see cref="FailureWindowSeconds"/> that block it. Default 10.</summary>
    [Range(1, 1_000_000)]
    public int FailuresBeforeBlock { get; init; } = 10;

    /// <summary>Window counting failures, seconds. Default 60.</summary>
    [Range(1, 86_400)]
    public int FailureWindowSeconds { get; init; } = 60;

    /// <summary>How long a blocked IP gets 429, seconds. Default 300.</summary>
    [Range(1, 86_400)]
    public int BlockSeconds { get; init; } = 300;

    /// <summary>Largest request body on every endpoint, bytes. Default 65 536.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Open connections per server. Default 10 000.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Time to receive the request headers, ms (Kestrel answers 408 past it). Default 10 000.</summary>
    [Range(100, 600_000)]
    public int RequestHeadersTimeoutMs { get; init; } = 10_000;

    /// <summary>Idle keep-alive connection lifetime, ms. Default 60 000.</summary>
    [Range(100, 3_600_000)]
    public int KeepAliveTimeoutMs { get; init; } = 60_000;

    /// <summary>Slowest accepted request body, bytes/s, after <see cref="MinBodyRateGraceMs"/>; slower is 408. Default 240.</summary>
    [Range(1, 1_000_000)]
    public int MinBodyBytesPerSecond { get; init; } = 240;

    /// <summary>Grace before <see cref="MinBodyBytesPerSecond"/> applies, ms, more than 1000 (Kestrel checks it once a second). Default 5000.</summary>
    [Range(1001, 600_000)]
    public int MinBodyRateGraceMs { get; init; } = 5000;
}
