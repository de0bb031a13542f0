using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client;

/// <summary>The server's INFO (https://docs.nats.io/reference/reference-protocols/nats-protocol#info); fields this client uses.</summary>
public sealed record ServerInfo
{
    /// <summary>Server id.</summary>
    [JsonPropertyName("server_id")]
    public string ServerId { get; init; } = string.Empty;

    /// <summary>Server version, e.g. 2.9.10.</summary>
    [JsonPropertyName("version")]
    public string Version { get; init; } = string.Empty;

    /// <summary>Largest message (headers + payload) in bytes.</summary>
    [JsonPropertyName("max_payload")]
    public long MaxPayload { get; init; } = 1024 * 1024;

    /// <summary>Whether the server supports headers (HPUB/HMSG).</summary>
    [JsonPropertyName("headers")]
    public bool Headers { get; init; }

    /// <summary>Whether JetStream is enabled.</summary>
    [JsonPropertyName("jetstream")]
    public bool JetStream { get; init; }

    /// <summary>Client id assigned by the server.</summary>
    [JsonPropertyName("client_id")]
    public ulong ClientId { get; init; }
}
