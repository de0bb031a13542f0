using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmsGateway.Host.Configuration;

namespace SmsGateway.Host.Health;

/// <summary>
/// Registers the <c>ready</c>-tagged checks of this process's roles (README "Readiness"): gateway — ledger, lock quorum,
/// broker, and the PostgreSQL store as <em>degraded</em> only (its schedule store, account settings and block lists; cached
/// copies keep immediate sends going while it is down, so the process stays ready but says so); dispatcher — ledger,
/// broker; reporter — status store, broker. In the embedded profile every part is in memory and its check is always healthy.
/// </summary>
internal static class ReadinessChecks
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string Tag = "ready";

    /// <summary>Adds the checks for <paramref name="gateway"/>'s profile and roles.</summary>
    public static IHealthChecksBuilder AddReadinessChecks(this IHealthChecksBuilder builder, GatewayOptions gateway)
    {
        var roles = gateway.ParsedRoles();
        var full = string.Equals(gateway.Profile, "full", StringComparison.OrdinalIgnoreCase);
        var services = builder.Services;
        services.AddSingleton<HealthLog>();
        if (roles.HasFlag(PipelineRoles.Gateway) || roles.HasFlag(PipelineRoles.Dispatcher))
        {
            Add<LedgerHealthCheck>(builder, "ledger", full);
        }

        if (roles.HasFlag(PipelineRoles.Gateway))
        {
            Add<LockQuorumHealthCheck>(builder, "lock_quorum", full);
        }

        if (roles.HasFlag(PipelineRoles.Reporter))
        {
            Add<StatusStoreHealthCheck>(builder, "status_store", full);
        }
        else if (roles.HasFlag(PipelineRoles.Gateway))
        {
            Add<StatusStoreHealthCheck>(builder, "status_store", full, HealthStatus.Degraded);
        }

        if (roles != PipelineRoles.None)
        {
            Add<BrokerHealthCheck>(builder, "broker", full);
        }

        return builder;
    }

    private static void Add<TCheck>(IHealthChecksBuilder builder, string name, bool full, HealthStatus failure = HealthStatus.Unhealthy)
        where TCheck : class, IHealthCheck
    {
        if (!full)
        {
            builder.AddCheck(name, () => HealthCheckResult.Healthy("in-memory"), tags: [Tag]);
            return;
        }

        // A singleton, so its cached result outlives one /health/ready request (AddCheck<T> resolves a registered instance).
        builder.Services.AddSingleton<TCheck>();
        builder.AddCheck<TCheck>(name, failure, tags: [Tag]);
    }
}
