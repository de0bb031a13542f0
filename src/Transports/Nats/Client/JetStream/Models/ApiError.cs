using System.Text.Json.Serialization;

namespace SmsGateway.Transports.Nats.Client.JetStream.Models;

/// <summary>JetStream API error (https://docs.nats.io/reference/reference-protocols/nats_api_reference#error-handling).</summary>
public sealed record ApiError
{
    /// <summary>HTTP-like code (400, 404, 500, 503).</summary>
    [JsonPropertyName("code")]
    public int Code { get; init; }

    /// <summary>JetStream error code (e.g. 10058 stream name in use with different config, 10059 stream not found, 10014 consumer not found).</summary>
    [JsonPropertyName("err_code")]
    public int ErrCode { get; init; }

    /// <summary>Text.</summary>
    [JsonPropertyName("description")]
    public string Description { get; init; } = string.Empty;
}
