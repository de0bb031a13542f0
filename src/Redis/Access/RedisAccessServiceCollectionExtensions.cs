using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Access;

namespace SmsGateway.Redis;

/// <summary>Registers the shared per-account rate limiter.</summary>
public static class RedisAccessServiceCollectionExtensions
{
    /// <summary>
    /// Replaces <see cref="IAccountRateLimiter"/> with the Redis GCRA limiter on the ledger's server. Call after
    /// <see cref="RedisServiceCollectionExtensions.AddRedisLedger"/> (it provides the connection and settings).
    /// </summary>
    public static IServiceCollection AddRedisAccountLimiter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Singleton<IAccountRateLimiter>(sp => new RedisAccountRateLimiter(
            sp.GetRequiredService<RedisConnections>().Ledger, sp.GetRequiredService<RedisOptions>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<RedisAccountRateLimiter>())));
        return services;
    }
}
