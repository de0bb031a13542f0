using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>The broker's answer to a JetStream publish: stored (stream + sequence), a duplicate, or an error.</summary>
public sealed record PubAckResponse
{
    /// <summary>Stream that stored it.</summary>
    [JsonPropertyName("stream")]
    public string? Stream { get; init; }

    /// <summary>Sequence in the stream (the original one for a duplicate).</summary>
    [JsonPropertyName("seq")]
    public ulong Seq { get; init; }

    /// <summary>True when the <c>Nats-Msg-Id</c> was already stored within the duplicate window (nothing new stored).</summary>
    [JsonPropertyName("duplicate")]
    public bool Duplicate { get; init; }

    /// <summary>Set when the publish failed.</summary>
    [JsonPropertyName("error")]
    public ApiError? Error { get; init; }

    /// <summary>Throws when <see cref="Error"/> is set.</summary>
    /// <exception cref="NatsJSApiException">The broker refused the message.</exception>
    public void EnsureSuccess()
    {
        if (Error is not null)
        {
            throw new NatsJSApiException(Error);
        }
    }
}
