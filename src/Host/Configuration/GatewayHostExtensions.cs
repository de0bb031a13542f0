using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SmsGateway.Accounts;
using SmsGateway.Dispatch;
using SmsGateway.Host.Access;
using SmsGateway.Host.Admin;
using SmsGateway.Operators.Smpp;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Callbacks;
using SmsGateway.Host.Health;
using SmsGateway.Host.Api;
using SmsGateway.Idempotency;
using SmsGateway.Transport;
using SmsGateway.Host.Docs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmsGateway.Host.Configuration;

/// <summary>Composition of the host: configuration profiles, pipeline parts, HTTP plumbing and endpoints.</summary>
public static class GatewayHostExtensions
{
    /// <summary>
    /// Reads and validates the <c>Gateway</c> and <c>Pipeline</c> sections, registers the pipeline with the parts of the
    /// selected profile, and configures Kestrel's ports, problem details, health checks, OpenAPI and metrics.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names it.</exception>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        Validate(gateway, GatewayOptions.Section);
        Validate(gateway.Simulator, GatewayOptions.Section + ":Simulator");
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        PipelineOptions pipeline;
        try
        {
            pipeline = (builder.Configuration.GetSection("Pipeline").Get<PipelineOptions>() ?? new PipelineOptions()).Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new OptionsValidationException("Pipeline", typeof(PipelineOptions), [$"Pipeline: {ex.Message}"]);
        }

        if (builder.Configuration["Pipeline:AcceptQueueBudget"] is null)
        {
            // Behind HTTP, queueing past this answers 429 (README "Admission control and fail-fast"); the library's default is off.
            pipeline = pipeline with { AcceptQueueBudget = PipelineOptions.DefaultHttpAcceptQueueBudget };
        }

        foreach (var port in gateway.EffectivePorts)
        {
            if (port is < 1 or > 65535)
            {
                throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), [$"Gateway:Ports: {port} is not a TCP port"]);
            }
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in gateway.EffectivePorts)
            {
                if (gateway.BindAddress == "*")
                {
                    kestrel.ListenAnyIP(port);
                }
                else if (string.Equals(gateway.BindAddress, "localhost", StringComparison.OrdinalIgnoreCase))
                {
                    kestrel.ListenLocalhost(port);
                }
                else
                {
                    kestrel.Listen(System.Net.IPAddress.Parse(gateway.BindAddress), port);
                }
            }
        });

        // A request continues on the thread that completed its socket read, instead of hopping through Kestrel's I/O queue
        // and then to the thread pool again: a sixth to a third less host CPU per /send on two cores (bench/README.md
        // "Kestrel without its scheduling hops"). Socket completions still reach the thread pool first (the runtime's
        // DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS stays off), so no request runs on the socket engine's event thread.
        // Every SocketTransportOptions property may be set under Gateway:Sockets; UnsafePreferInlineScheduling=false is Kestrel's default.
        var sockets = builder.Configuration.GetSection(GatewayOptions.Section + ":Sockets");
        try
        {
            sockets.Get<SocketTransportOptions>(); // bound once here so that a value of the wrong type stops the start, naming its key
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(sockets.Path, typeof(SocketTransportOptions), [ex.Message]);
        }

        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        builder.Services.Configure<SocketTransportOptions>(sockets);

        if (string.Equals(gateway.Profile, "full", StringComparison.OrdinalIgnoreCase))
        {
            pipeline = builder.Services.AddFullProfile(builder.Configuration, gateway, pipeline);
        }

        builder.Services.AddSingleton(new OperatorSimulatorOptions
        {
            Latency = TimeSpan.FromMilliseconds(gateway.Simulator.LatencyMs),
            Jitter = TimeSpan.FromMilliseconds(gateway.Simulator.JitterMs),
            TransientFailureRate = gateway.Simulator.TransientFailureRate,
            PermanentFailureRate = gateway.Simulator.PermanentFailureRate,
            SendLogPath = gateway.Simulator.SendLogPath,
            DeliveryReceipts = gateway.Simulator.DeliveryReceipts,
            UndeliveredShare = gateway.Simulator.UndeliveredShare,
            ReceiptDelay = TimeSpan.FromMilliseconds(gateway.Simulator.ReceiptDelayMs),
        }.Validate());
        builder.Services.AddSmppOperators(); // operators whose operator.json connection is {"type":"smpp",...}
        var operatorTable = ResolveOperatorTable(gateway.OperatorTable);
        builder.Services.AddSmsPipeline(pipeline, operatorTable, gateway.ParsedRoles());
        builder.Services.AddSingleton(new OperatorTableFile(operatorTable));
        // The host's stop (Kestrel answering in-flight requests, then the pipeline's drain) gets the pipeline's timeout plus 5 s,
        // so the pipeline's own bound, not the host's, decides what is settled before exit (README "Durability").
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = pipeline.ShutdownTimeout + TimeSpan.FromSeconds(5));
        var callbacks = builder.Configuration.GetSection(CallbackOptions.Section).Get<CallbackOptions>() ?? new CallbackOptions();
        Validate(callbacks, CallbackOptions.Section);
        builder.Services.AddSingleton(callbacks);
        builder.Services.AddSingleton(new CallbackTargetGuard(callbacks.AllowPrivateTargets));
        builder.Services.AddSingleton<CallbackLog>();
        builder.Services.AddSingleton<AccountSettingsCache>();
        builder.Services.AddSingleton<TemplateCache>();
        builder.Services.AddSingleton<RecipientBlockCheck>();
        builder.Services.AddHostedService<Memory.IdleHeapTrimmer>(); // memory back to the OS once a burst is over (README "Memory after a flood")
        builder.Services.TryAddSingleton<IMobileOriginatedHandler, OptOutHandler>(); // "STOP" / "لغو" over SMPP → the line owner's block list
        if (gateway.ParsedRoles().HasFlag(PipelineRoles.Dispatcher))
        {
            builder.Services.AddHostedService(sp => new CallbackSender(sp.GetRequiredService<IMessageTransport>(), sp.GetRequiredService<IAccountSettingsStore>(),
                sp.GetRequiredService<CallbackLog>(), callbacks,
                new HttpClient(sp.GetRequiredService<CallbackTargetGuard>().CreateHandler(TimeSpan.FromMilliseconds(callbacks.TimeoutMs))) { Timeout = Timeout.InfiniteTimeSpan },
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CallbackSender>>()));
        }

        builder.Services.AddSingleton(sp => new IdempotencyGuard(sp.GetRequiredService<IIdempotencyStore>(), TimeSpan.FromHours(gateway.IdempotencyKeyHours), sp.GetRequiredService<ILogger<IdempotencyGuard>>()));
        builder.Services.AddSingleton<AcceptServices>();
        builder.AddGatewayTelemetry(gateway.ParsedRoles());
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck<PipelineHealthCheck>("pipeline", tags: [ReadinessChecks.Tag]).AddReadinessChecks(gateway);
        builder.Services.AddGatewayOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(AdminJsonContext.Default);
        });
        builder.AddGatewayAccess(gateway);
        return builder;
    }

    /// <summary>Maps the API (seed paths), health, metrics and the OpenAPI document.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseGatewayAccess();
        var roles = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.ParsedRoles();
        if (roles.HasFlag(PipelineRoles.Gateway))
        {
            app.MapSendApi();
            app.MapBillingApi();
            app.MapAccountSettingsApi();
            app.MapBatchSendApi();
            app.MapTemplatesApi();
            app.MapBlockListApi();
            app.MapVerifyApi();
            app.MapCancelApi();
        }

        if (roles.HasFlag(PipelineRoles.Reporter))
        {
            app.MapReportApi();
            app.MapBatchReportApi();
            app.MapReportExportApi();
        }

        if (roles.HasFlag(PipelineRoles.Dispatcher))
        {
            app.MapCallbackApi();
        }

        app.MapDeadLetterApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadinessChecks.Tag),
            ResponseWriter = ReadinessResponseWriter.WriteAsync,
        }).AllowAnonymous();
        app.MapGatewayTelemetry();
        app.MapGatewayDocs();
        BlockListLog.WatchingOperatorTable(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SmsGateway.Host"),
            app.Services.GetRequiredService<OperatorTableFile>().Path);
        return app;
    }

    /// <summary>
    /// The <c>operator.json</c> to load and watch. A rooted path is used as it is; a relative one is looked up in the current
    /// directory, then — when this binary runs from its own build output (<c>dotnet run</c>, whose working directory is
    /// src/Host) — in the repository root (two levels above the project, where the tracked file lives), then beside the app.
    /// </summary>
    internal static string ResolveOperatorTable(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var project = typeof(GatewayHostExtensions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "SmsGateway.ProjectDirectory")?.Value;
        if (project is not null && AppContext.BaseDirectory.StartsWith(Path.GetFullPath(project) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            var inRepository = Path.GetFullPath(Path.Combine(project, "..", "..", path));
            if (File.Exists(inRepository))
            {
                return inRepository;
            }
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideApp) ? besideApp : Path.GetFullPath(path);
    }

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
