using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SmsGateway.Diagnostics;

namespace SmsGateway.Host.Configuration;

/// <summary>
/// The host's observability on OpenTelemetry, in one place (README "Observability"): the pipeline's meter with ASP.NET Core,
/// runtime and process instrumentation exported as Prometheus text on <c>/metrics</c> (and over OTLP when configured); the
/// pipeline's spans and the ASP.NET Core server spans exported to the console and/or OTLP when switched on; JSON console
/// logs carrying trace ids when switched on. Settings: <see cref="TelemetryOptions"/>.
/// </summary>
public static class Observability
{
    /// <summary>Reads and validates the <c>Telemetry</c> section and registers metrics, traces and the log format.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="roles">Roles this process runs, as the <c>sms.gateway.roles</c> resource attribute (tells the processes of one trace apart).</param>
    /// <exception cref="OptionsValidationException">A <c>Telemetry</c> setting is invalid; the message names it.</exception>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder, PipelineRoles roles)
    {
        var options = Read(builder.Configuration);
        if (options.JsonLogs)
        {
            // TraceId, SpanId and ParentId of the current span become a logging scope, which the JSON formatter prints.
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Json);
        }
        else if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnosticsCategory}"] is null)
        {
            // Without JSON logs nothing reads the per-request Activity and log scope that ASP.NET Core's hosting layer makes
            // while this category is on at any level (bench/README.md "No hosting Activity per request"); a trace exporter
            // still gets its server span, because its listener makes the hosting layer start one.
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(options.ServiceName, serviceVersion: typeof(Observability).Assembly.GetName().Version?.ToString())
                .AddAttributes([new("sms.gateway.roles", roles.ToString())]))
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's own meters, named rather than all of them (AddAspNetCoreInstrumentation also turns on routing,
                // authentication, authorization and memory-pool instruments that record on every request or buffer rent and
                // that no dashboard here reads; bench/README.md "Cost model", HTTP path).
                metrics.AddMeter(PipelineMetrics.MeterName)
                    .AddMeter(AspNetCoreMeters)
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0); // the load runner's before/after scrapes must be fresh
                if (options.Otlp.Endpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => Configure(o, options.Otlp, endpoint, "v1/metrics"));
                }
            });

        if (options.TracingEnabled)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplingRatio)))
                    .AddSource(PipelineTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsPlumbing(context.Request.Path));
                if (options.Console)
                {
                    tracing.AddConsoleExporter();
                }

                if (options.Otlp.Endpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(o => Configure(o, options.Otlp, endpoint, "v1/traces"));
                }
            });
        }

        return builder;
    }

    /// <summary>
    /// ASP.NET Core's hosting log category. While it is on at any level, the hosting layer starts an <see cref="System.Diagnostics.Activity"/>
    /// (W3C ids, <see cref="System.Diagnostics.Activity.Current"/>) and a logging scope for every request, used only by
    /// scope-printing log formats and trace exporters. The host turns it off unless <see cref="TelemetryOptions.JsonLogs"/> is on
    /// or <c>Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics</c> is set (then the setting applies, for example
    /// <c>Information</c> for ASP.NET Core's request start and finish lines). Its lines at Warning and above report start-up
    /// failures, which also stop the host with their exception.
    /// </summary>
    internal const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The ASP.NET Core meters exported: hosting (<c>http.server.request.duration</c>, active requests), Kestrel (connections,
    /// TLS, queued requests), diagnostics (handled exceptions) and rate limiting (per-IP limiter leases and rejections).
    /// </summary>
    internal static readonly string[] AspNetCoreMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting"];

    /// <summary>Serves the Prometheus scrape endpoint on <c>/metrics</c> (text format 0.0.4, or OpenMetrics when the scraper asks for it).</summary>
    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous(); // scraped without credentials (rate-limited per IP)
        return app;
    }

    private static TelemetryOptions Read(IConfiguration configuration)
    {
        TelemetryOptions options;
        try
        {
            options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions), [$"{TelemetryOptions.Section}: {ex.Message}"]);
        }

        Validate(options, TelemetryOptions.Section);
        Validate(options.Otlp, TelemetryOptions.Section + ":Otlp");
        if (options.Otlp.Endpoint is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
        {
            throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions),
                ["Telemetry:Otlp:Endpoint must be an absolute http:// or https:// URI"]);
        }

        return options;
    }

    // With http/protobuf, an endpoint set in code is used as it is: add the signal's path when only a host was given
    // (https://opentelemetry.io/docs/specs/otel/protocol/exporter/#endpoint-urls-for-otlphttp).
    private static void Configure(OtlpExporterOptions o, TelemetryOptions.OtlpSettings settings, Uri endpoint, string signalPath)
    {
        bool http = settings.Protocol == "http/protobuf";
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        o.Endpoint = http && endpoint.AbsolutePath == "/" ? new Uri(endpoint, signalPath) : endpoint;
    }

    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments("/openapi");

    private static void Validate(object options, string section)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(section, options.GetType(),
                results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
