namespace SmsGateway.Transports.Nats.Client;

/// <summary>
/// Message headers (NATS/1.0 block of HPUB/HMSG). Keys are case-sensitive; a repeated key keeps its first value.
/// <see cref="Code"/> and <see cref="Message"/> hold the optional status of the version line (e.g. <c>NATS/1.0 408 Request Timeout</c>).
/// </summary>
public sealed class NatsHeaders : Dictionary<string, string>
{
    /// <summary>Creates empty headers.</summary>
    public NatsHeaders() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Status code of the version line; 0 when none.</summary>
    public int Code { get; internal set; }

    /// <summary>Status description of the version line (e.g. <c>Request Timeout</c>); empty when none.</summary>
    public string Message { get; internal set; } = string.Empty;
}
