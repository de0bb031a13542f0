namespace SmsGateway.Access;

/// <summary>One stored API key: never the secret, only its SHA-256.</summary>
/// <param name="KeyId">Public id of the key (<c>k</c> + 16 lower-case hex digits); the first part of the presented key.</param>
/// <param name="UserId">The account the key acts for.</param>
/// <param name="SecretHash">SHA-256 of the secret's UTF-8 bytes, 32 bytes.</param>
/// <param name="CreatedAt">When the key was issued.</param>
/// <param name="RevokedAt">When the key was revoked; null while valid.</param>
public sealed record ApiKeyRecord(string KeyId, string UserId, byte[] SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
