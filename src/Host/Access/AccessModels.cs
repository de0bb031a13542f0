namespace SmsGateway.Host.Access;

/// <summary>201 answer of <c>POST /accounts/{userId}/keys</c>: the secret <see cref="ApiKey"/> is shown this once.</summary>
public sealed record IssuedKey(string UserId, string KeyId, string ApiKey);

/// <summary>One key in <c>GET /accounts/{userId}/keys</c>, without its secret.</summary>
public sealed record KeyView(string KeyId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Answer of <c>GET /accounts/{userId}/keys</c>.</summary>
public sealed record KeyList(string UserId, IReadOnlyList<KeyView> Keys);

/// <summary>Body of <c>PUT /accounts/{userId}/limits</c>; a null or absent field falls back to the configured default.</summary>
public sealed record LimitsBody(int? RequestsPerSecond, int? MessagesPerSecond, int? MessagesPerDay);

/// <summary>Answer of <c>GET/PUT /accounts/{userId}/limits</c>: the limits in force and the override behind them.</summary>
public sealed record LimitsView(string UserId, int RequestsPerSecond, int MessagesPerSecond, int MessagesPerDay, LimitsBody Override);
