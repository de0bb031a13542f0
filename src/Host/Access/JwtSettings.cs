using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Access;

/// <summary>JWT bearer settings (section <c>Auth:Jwt</c>). Exactly one of <see cref="SigningKey"/> and <see cref="JwksFile"/>.</summary>
public sealed record JwtSettings
{
    /// <summary>Required <c>iss</c>.</summary>
    [Required]
    public string Issuer { get; init; } = "";

    /// <summary>Required <c>aud</c>.</summary>
    [Required]
    public string Audience { get; init; } = "";

    /// <summary>HMAC-SHA256 key, at least 32 bytes of UTF-8 text.</summary>
    public string? SigningKey { get; init; }

    /// <summary>Path of a JWKS file (RFC 7517) holding the public signing keys.</summary>
    public string? JwksFile { get; init; }

    /// <summary>Claim holding the user id. Default <c>sub</c>.</summary>
    [Required]
    public string UserIdClaim { get; init; } = "sub";

    /// <summary>Claim holding the role (<c>admin</c> or <c>client</c>; absent means client). Default <c>role</c>.</summary>
    [Required]
    public string RoleClaim { get; init; } = "role";

    /// <summary>Allowed clock skew, seconds. Default 30.</summary>
    [Range(0, 600)]
    public int ClockSkewSeconds { get; init; } = 30;
}
