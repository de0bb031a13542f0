using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SmsGateway.Access;
using SmsGateway.Host.Accounts;
using SmsGateway.Host.Api;
using SmsGateway.Host.Configuration;
using SmsGateway.Postgres;
using SmsGateway.Redis;

namespace SmsGateway.Host.Access;

/// <summary>
/// Authentication (API keys, JWT, open development mode), authorization policies, per-account limits, per-IP protection
/// and server limits (README "Security").
/// </summary>
public static class GatewayAccessExtensions
{
    /// <summary>
    /// Reads and validates section <c>Auth</c>, refuses to start without credentials outside open development mode,
    /// and registers the schemes, policies, key store, limiters and Kestrel limits. Call after the profile's parts are
    /// registered (the full profile's store and limiter use its PostgreSQL and Redis settings).
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid, or no credential is configured where one is required; the message names <c>Auth:AdminKeys</c>.</exception>
    public static WebApplicationBuilder AddGatewayAccess(this WebApplicationBuilder builder, GatewayOptions gateway)
    {
        var auth = AccessConfiguration.Read(builder.Configuration);
        var full = string.Equals(gateway.Profile, "full", StringComparison.OrdinalIgnoreCase);
        var open = !auth.HasCredentials;
        if (open && (full || !IsLoopback(gateway.BindAddress)))
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions),
            [
                "Auth:AdminKeys: no credentials are configured. Set Auth:AdminKeys (env Auth__AdminKeys__0, at least 16 characters) or Auth:Jwt. " +
                "Only the embedded profile bound to a loopback address (Gateway:BindAddress=localhost or 127.0.0.1) may run without them (open development mode).",
            ]);
        }

        var services = builder.Services;
        services.AddSingleton(auth);
        services.AddSingleton(new AdminKeyHashes(auth.AdminKeys ?? []));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuthFailureTracker>();
        services.AddSingleton(new PortRouting(gateway));
        services.AddSingleton<AccountLimitGate>();
        if (full)
        {
            services.AddSingleton<IAccessStore>(sp =>
            {
                var store = new PostgresAccessStore(sp.GetRequiredService<PostgresStatusStore>(), sp.GetRequiredService<ILogger<PostgresAccessStore>>());
                return auth.KeyCacheMs == 0 ? store // no caching: every lookup asks PostgreSQL
                    : new CachedAccessStore(store, new StoreCacheOptions { Ttl = TimeSpan.FromMilliseconds(auth.KeyCacheMs) },
                        sp.GetRequiredService<ILogger<CachedAccessStore>>());
            });
            services.AddRedisAccountLimiter();
        }
        else
        {
            services.AddSingleton<IAccessStore, InMemoryAccessStore>();
            services.AddSingleton<IAccountRateLimiter>(sp => new InMemoryAccountRateLimiter(sp.GetRequiredService<TimeProvider>()));
        }

        AddSchemes(services, auth, open);
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Admin, p => p.RequireClaim(AccessClaims.Role, AccessClaims.AdminRole))
            .AddPolicy(AccessPolicies.Client, p => p.RequireClaim(AccessClaims.Role, AccessClaims.ClientRole, AccessClaims.AdminRole));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, OwnerAuthorizationHandler>();
        ShareAuthorizationServices(services);
        services.AddRateLimiter(o => ConfigurePerIpLimit(o, auth.Abuse));
        services.Configure<ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AccessJsonContext.Default));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = auth.Abuse.MaxConnections;
            limits.MaxConcurrentUpgradedConnections = auth.Abuse.MaxConnections;
            limits.MaxRequestBodySize = auth.Abuse.MaxBodyBytes;
            limits.RequestHeadersTimeout = TimeSpan.FromMilliseconds(auth.Abuse.RequestHeadersTimeoutMs);
            limits.KeepAliveTimeout = TimeSpan.FromMilliseconds(auth.Abuse.KeepAliveTimeoutMs);
            limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(
                auth.Abuse.MinBodyBytesPerSecond, TimeSpan.FromMilliseconds(auth.Abuse.MinBodyRateGraceMs));
        });
        return builder;
    }

    /// <summary>
    /// Adds, in order: port routing (404 for another service's path), the body size limit (413), the block of IPs with
    /// repeated authentication failures (429), authentication, the per-IP limit on anonymous requests (429), the
    /// per-account request limit (429) and authorization. Call after the exception handler, before the endpoints run.
    /// </summary>
    public static WebApplication UseGatewayAccess(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<AuthOptions>();
        if (!auth.HasCredentials)
        {
            AccessLog.OpenMode(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SmsGateway.Host.Access"));
        }

        var ports = app.Services.GetRequiredService<PortRouting>();
        var failures = app.Services.GetRequiredService<AuthFailureTracker>();
        var gate = app.Services.GetRequiredService<AccountLimitGate>();
        app.UseRouting();
        // Both gates pass a request on without an async frame of their own when they have nothing to say (every /send does).
        app.Use((context, next) => Admit(context, next, ports, failures, auth.Abuse.MaxBodyBytes));
        app.UseAuthentication();
        // The per-IP limiter counts anonymous requests only (ConfigurePerIpLimit gives authenticated ones no limiter), so an
        // authenticated request skips the middleware and its lease bookkeeping altogether.
        app.UseWhen(static context => context.User.Identity?.IsAuthenticated != true, static anonymous => anonymous.UseRateLimiter());
        app.Use((context, next) => context.GetEndpoint()?.Metadata.GetMetadata<ServedOn>() is null ? next(context) : LimitAsync(context, next, gate));
        app.UseAuthorization();
        app.MapAccountsApi();
        return app;
    }

    // Port routing (404), the body size limit (413) and the block of IPs with repeated authentication failures (429).
    private static Task Admit(HttpContext context, RequestDelegate next, PortRouting ports, AuthFailureTracker failures, long defaultMaxBody)
    {
        if (!ports.Serves(context))
        {
            return PortRouting.NotHere().ExecuteAsync(context);
        }

        // An endpoint may allow a larger body (IRequestSizeLimitMetadata, e.g. POST /send/batch); every other one has the abuse limit.
        var maxBody = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultMaxBody;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBody;
        }

        if (context.Request.ContentLength > maxBody)
        {
            return TypedResults.Problem($"the body must be at most {maxBody} bytes", statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Body too large", type: "/problems/body-too-large").ExecuteAsync(context);
        }

        if (failures.BlockedUntil(context.Connection.RemoteIpAddress) is { } until)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem("too many failed authentications from this address; retry later", statusCode: StatusCodes.Status429TooManyRequests,
                title: "Temporarily blocked", type: "/problems/blocked").ExecuteAsync(context);
        }

        return next(context);
    }

    // The per-account request limit of a client caller (429); admins and open mode go straight on.
    private static Task LimitAsync(HttpContext context, RequestDelegate next, AccountLimitGate gate)
    {
        var check = gate.CheckRequestAsync(context);
        return check.IsCompletedSuccessfully && check.Result is null ? next(context) : AnswerOrNextAsync(context, next, check);

        static async Task AnswerOrNextAsync(HttpContext context, RequestDelegate next, ValueTask<IResult?> check)
        {
            if (await check is { } limited)
            {
                await limited.ExecuteAsync(context);
                return;
            }

            await next(context);
        }
    }

    // ASP.NET Core registers its authorization services as transient, so that an application may give a policy provider or
    // handler scoped dependencies. This host has none (its one handler, OwnerAuthorizationHandler, is a singleton), and the
    // transients cost about ten service resolutions and objects per request: 2 % of the full-stack host's allocated bytes
    // (bench/README.md "Authorization services shared"). The same implementation types, one instance each.
    private static void ShareAuthorizationServices(IServiceCollection services)
    {
        Type[] shared =
        [
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationService),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationHandlerProvider),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationEvaluator),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationHandlerContextFactory),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationHandler),
            typeof(Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator),
            typeof(Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler),
        ];
        for (int i = 0; i < services.Count; i++)
        {
            var d = services[i];
            if (d is { Lifetime: ServiceLifetime.Transient, IsKeyedService: false, ImplementationType: { } type } && Array.IndexOf(shared, d.ServiceType) >= 0)
            {
                services[i] = ServiceDescriptor.Singleton(d.ServiceType, type);
            }
        }
    }

    private static void AddSchemes(IServiceCollection services, AuthOptions auth, bool open)
    {
        if (open)
        {
            services.AddAuthentication(OpenAccessHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, OpenAccessHandler>(OpenAccessHandler.SchemeName, null);
            return;
        }

        if (auth.Jwt is null)
        {
            // API keys only: the key handler is the default scheme itself, without a policy scheme forwarding each request
            // to it (a second authenticate call, result and ticket per request; bench/README "API keys without a forwarding scheme").
            services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
            return;
        }

        // API keys and JWTs: a policy scheme picks the handler by the token's shape.
        const string selector = "Gateway";
        services.AddAuthentication(selector)
            .AddPolicyScheme(selector, null, o =>
            {
                o.ForwardDefaultSelector = context =>
                    BearerToken.Read(context.Request, out var token) == BearerHeader.Token && BearerToken.LooksLikeJwt(token)
                        ? JwtBearerDefaults.AuthenticationScheme
                        : ApiKeyAuthenticationHandler.SchemeName;
                o.ForwardChallenge = ApiKeyAuthenticationHandler.SchemeName;
                o.ForwardForbid = ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(o => JwtValidation.Configure(o, auth.Jwt));
    }

    private static void ConfigurePerIpLimit(RateLimiterOptions options, AbuseSettings abuse)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            context.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("authenticated")
                : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = abuse.AnonymousPerIpPerSecond,
                    Window = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (context, _) =>
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return new ValueTask(TypedResults.Problem("too many unauthenticated requests from this address; retry later",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: "/problems/ip-limit").ExecuteAsync(context.HttpContext));
        };
    }

    private static bool IsLoopback(string bindAddress) =>
        string.Equals(bindAddress, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(bindAddress, out var ip) && IPAddress.IsLoopback(ip));
}
