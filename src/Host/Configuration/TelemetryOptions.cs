using System.ComponentModel.DataAnnotations;

namespace SmsGateway.Host.Configuration;

/// <summary>
/// Observability settings, section <c>Telemetry</c> (environment variables <c>Telemetry__Console</c>,
/// <c>Telemetry__Otlp__Endpoint</c>, ...). Metrics are always collected and served on <c>/metrics</c>; traces are collected
/// only while an exporter is switched on (<see cref="Console"/> or <see cref="Otlp"/>), so an unobserved gateway pays nothing
/// for them. Validated at start-up.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Telemetry";

    /// <summary>The <c>service.name</c> resource attribute of every span and metric. Default <c>sms-gateway</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceName { get; init; } = "sms-gateway";

    /// <summary>Writes finished spans to standard output (OpenTelemetry console exporter), for development. Default false.</summary>
    public bool Console { get; init; }

    /// <summary>Exports spans and metrics over OTLP when <see cref="OtlpSettings.Endpoint"/> is set.</summary>
    public OtlpSettings Otlp { get; init; } = new();

    /// <summary>
    /// Share of new traces recorded, 0..1 (parent-based: a trace started upstream keeps its caller's decision). Default 1.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SamplingRatio { get; init; } = 1.0;

    /// <summary>
    /// Console logs as one JSON object per line, with the trace and span ids of the current span (the scope of each entry).
    /// Same as <c>Logging:Console:FormatterName=json</c> with scopes on. Default false (the plain console format).
    /// </summary>
    public bool JsonLogs { get; init; }

    /// <summary>True when a trace exporter is switched on.</summary>
    public bool TracingEnabled => Console || Otlp.Endpoint is not null;

    /// <summary>OTLP exporter settings, section <c>Telemetry:Otlp</c>.</summary>
    public sealed record OtlpSettings
    {
        /// <summary>Collector endpoint, for example <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP). Null: off.</summary>
        public Uri? Endpoint { get; init; }

        /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
        [RegularExpression("^(grpc|http/protobuf)$", ErrorMessage = "Telemetry:Otlp:Protocol must be 'grpc' or 'http/protobuf'")]
        public string Protocol { get; init; } = "grpc";
    }
}
