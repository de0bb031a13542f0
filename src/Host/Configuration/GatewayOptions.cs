using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Configuration;

/// <summary>
/// The host's settings, section <c>Gateway</c> (environment variables <c>Gateway__Profile</c>, <c>Gateway__Roles</c>, ...).
/// Validated at start-up; an invalid value stops the start with a message naming it.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Gateway";

    /// <summary><c>embedded</c> (default: in-memory everything, simulator) or <c>full</c> (Redis, NATS or Kafka, PostgreSQL).</summary>
    [Required]
    [RegularExpression("^(?i)(embedded|full)$", ErrorMessage = "Gateway:Profile must be 'embedded' or 'full'")]
    public string Profile { get; set; } = "embedded";

    /// <summary>Comma-separated roles this process runs: <c>all</c> (default), <c>gateway</c>, <c>dispatcher</c>, <c>reporter</c>.</summary>
    [Required]
    [RegularExpression("^(?i)\\s*(all|gateway|dispatcher|reporter)(\\s*,\\s*(all|gateway|dispatcher|reporter))*\\s*$",
        ErrorMessage = "Gateway:Roles must be a comma-separated list of all, gateway, dispatcher, reporter")]
    public string Roles { get; set; } = "all";

    /// <summary>
    /// TCP ports served. Default 7070 (gateway: <c>/send</c>, <c>/messages</c>), 8081 (billing: <c>/charge</c>, <c>/balance</c>,
    /// <c>/accounts</c>), 6070 (report: <c>/report</c>, <c>/messages</c>), as the seed; each serves its own service's paths.
    /// With fewer than three ports every port serves every path.
    /// </summary>
    /// <remarks>Null means the default; the configuration binder appends to, rather than replaces, an initialised array.</remarks>
    public int[]? Ports { get; set; }

    /// <summary><see cref="Ports"/>, or the seed's three ports when none are configured.</summary>
    public IReadOnlyList<int> EffectivePorts => Ports is { Length: > 0 } ? Ports.Distinct().ToArray() : [7070, 8081, 6070];

    /// <summary>
    /// Address to bind: <c>localhost</c> (default: loopback, IPv4 and IPv6), <c>*</c> for all interfaces, or an IP such as
    /// <c>10.0.0.5</c>. Any address other than loopback needs credentials (README "Security").
    /// </summary>
    [Required]
    public string BindAddress { get; set; } = "localhost";

    /// <summary>Every port serves every path (instead of each port its own service's). Default false.</summary>
    public bool AllPathsOnEveryPort { get; set; }

    /// <summary>Path of <c>operator.json</c> (watched for changes); relative paths are resolved from the working directory, then the app directory.</summary>
    [Required]
    public string OperatorTable { get; set; } = "operator.json";

    /// <summary>Full profile only: <c>nats</c> or <c>kafka</c>. Ignored by the embedded profile (in-memory).</summary>
    [RegularExpression("^(?i)(memory|nats|kafka)$", ErrorMessage = "Gateway:Transport must be 'memory', 'nats' or 'kafka'")]
    public string Transport { get; set; } = "memory";

    /// <summary>Operator connection: <c>simulator</c> (default) — real SMSC adapters plug in through <c>IOperatorClient</c>.</summary>
    [RegularExpression("^(?i)simulator$", ErrorMessage = "Gateway:Operators must be 'simulator' (no real operator adapter is configured in this build)")]
    public string Operators { get; set; } = "simulator";

    /// <summary>Operator simulator behaviour.</summary>
    public SimulatorSettings Simulator { get; set; } = new();

    /// <summary>How long an <c>Idempotency-Key</c> is remembered, hours. Default 24.</summary>
    [Range(1, 24 * 30)]
    public int IdempotencyKeyHours { get; set; } = 24;

    /// <summary>Parsed <see cref="Roles"/>.</summary>
    public PipelineRoles ParsedRoles()
    {
        var roles = PipelineRoles.None;
        foreach (var part in Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "gateway" => PipelineRoles.Gateway,
                "dispatcher" => PipelineRoles.Dispatcher,
                "reporter" => PipelineRoles.Reporter,
                _ => PipelineRoles.All,
            };
        }

        return roles;
    }
}

/// <summary>Operator simulator settings (section <c>Gateway:Simulator</c>).</summary>
public sealed class SimulatorSettings
{
    /// <summary>Mean latency per send, ms. Default 0.</summary>
    [Range(0, 60_000)]
    public double LatencyMs { get; set; }

    /// <summary>Uniform extra latency, ms. Default 0.</summary>
    [Range(0, 60_000)]
    public double JitterMs { get; set; }

    /// <summary>Probability of a transient failure per attempt, 0..1. Default 0.</summary>
    [Range(0.0, 1.0)]
    public double TransientFailureRate { get; set; }

    /// <summary>Probability of a permanent failure per message, 0..1. Default 0.</summary>
    [Range(0.0, 1.0)]
    public double PermanentFailureRate { get; set; }

    /// <summary>File that records every submit the simulator answered (one line each), for crash tests; unset for none.</summary>
    public string? SendLogPath { get; set; }

    /// <summary>Whether accepted messages get a delivery receipt (status <c>delivered</c> / <c>undelivered</c>). Default false.</summary>
    public bool DeliveryReceipts { get; set; }

    /// <summary>Share of receipts that report <c>UNDELIV</c>, 0..1 (decided per message id). Default 0.</summary>
    [Range(0.0, 1.0)]
    public double UndeliveredShare { get; set; }

    /// <summary>Time from the operator's answer to its receipt, ms. Default 0.</summary>
    [Range(0, 86_400_000)]
    public double ReceiptDelayMs { get; set; }
}
