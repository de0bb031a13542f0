using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>CONNECT body (https://docs.nats.io/reference/reference-protocols/nats-protocol#connect).</summary>
internal sealed record ConnectOptions
{
    [JsonPropertyName("verbose")]
    public bool Verbose { get; init; }

    [JsonPropertyName("pedantic")]
    public bool Pedantic { get; init; }

    [JsonPropertyName("tls_required")]
    public bool TlsRequired { get; init; }

    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    [JsonPropertyName("lang")]
    public string Lang { get; init; } = ".NET";

    [JsonPropertyName("version")]
    public string Version { get; init; } = string.Empty;

    /// <summary>1: the server may send INFO updates (cluster topology).</summary>
    [JsonPropertyName("protocol")]
    public int Protocol { get; init; } = 1;

    [JsonPropertyName("echo")]
    public bool Echo { get; init; } = true;

    /// <summary>Required for HPUB/HMSG; without it the server rejects headers (2.9 trap).</summary>
    [JsonPropertyName("headers")]
    public bool Headers { get; init; } = true;

    /// <summary>A request to a subject without subscribers gets a 503 status at once instead of timing out.</summary>
    [JsonPropertyName("no_responders")]
    public bool NoResponders { get; init; } = true;
}
