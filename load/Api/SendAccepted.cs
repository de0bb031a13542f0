namespace SmsGateway.Load.Api;

/// <summary>The 202 answer of <c>POST /send</c>. <see cref="Cost"/> is in minor currency units.</summary>
public sealed record SendAccepted
{
    public string Id { get; init; } = "";
    public string Status { get; init; } = "";
    public string Phone { get; init; } = "";
    public string Operator { get; init; } = "";
    public int Segments { get; init; }
    public string Encoding { get; init; } = "";
    public long Cost { get; init; }
}
