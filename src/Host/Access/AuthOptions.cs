using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Access;

/// <summary>
/// Authentication and per-account limits, section <c>Auth</c> (README "Security"). With no <see cref="AdminKeys"/> and no
/// <see cref="Jwt"/>, only the embedded profile bound to loopback starts (open development mode).
/// </summary>
public sealed record AuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Auth";

    /// <summary>Bootstrap admin keys (<c>Auth:AdminKeys:0</c>, env <c>Auth__AdminKeys__0</c>), each at least 16 characters.</summary>
    public string[]? AdminKeys { get; init; }

    /// <summary>JWT bearer validation; null when JWTs are not accepted.</summary>
    public JwtSettings? Jwt { get; init; }

    /// <summary>How long a looked-up API key (or its absence) is trusted, ms. Bounds the delay of a revocation. Default 2000, at most 5000.</summary>
    [Range(0, 5000)]
    public int KeyCacheMs { get; init; } = 2000;

    /// <summary>Default per-account limits; overrides through <c>PUT /accounts/{userId}/limits</c>.</summary>
    public LimitSettings Limits { get; init; } = new();

    /// <summary>Per-IP protection and server limits.</summary>
    public AbuseSettings Abuse { get; init; } = new();

    /// <summary>True when some credential is configured.</summary>
    public bool HasCredentials => AdminKeys is { Length: > 0 } || Jwt is not null;
}
