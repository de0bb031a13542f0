using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Billing;
using SmsGateway.Idempotency;
using SmsGateway.Locking;

namespace SmsGateway.Redis;

/// <summary>Registers the Redis ledger, the Redlock factory (RedLock.net plus fencing tokens) and the idempotency store.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the registered <see cref="IBalanceLedger"/>, <see cref="IDistributedLockFactory"/> and
    /// <see cref="IIdempotencyStore"/> (e.g. the in-memory defaults) with Redis ones, as singletons. Connections open
    /// when the first of them is resolved (waiting at most <see cref="RedisOptions.ConnectTimeoutMs"/>; a server that is down
    /// does not stop start-up: calls fail with the "unavailable" exceptions until it is back) and are closed when the
    /// service provider is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Settings; validated here and copied (later edits have no effect).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message names each bad setting.</exception>
    public static IServiceCollection AddRedisLedger(this IServiceCollection services, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var copy = options with { LockEndpoints = [.. options.LockEndpoints] };
        services.TryAddSingleton(copy);
        services.AddSingleton(sp => new RedisConnections(copy, LoggerFactory(sp)));
        services.Replace(ServiceDescriptor.Singleton<IBalanceLedger>(sp => new RedisBalanceLedger(
            sp.GetRequiredService<RedisConnections>().Ledger, copy, LoggerFactory(sp).CreateLogger<RedisBalanceLedger>())));
        services.Replace(ServiceDescriptor.Singleton<IDistributedLockFactory>(sp => new RedisLockFactory(
            sp.GetRequiredService<RedisConnections>().LockNodes, sp.GetRequiredService<RedisConnections>().Ledger, copy, LoggerFactory(sp))));
        services.Replace(ServiceDescriptor.Singleton<IIdempotencyStore>(sp => new RedisIdempotencyStore(
            sp.GetRequiredService<RedisConnections>().Idempotency, copy, LoggerFactory(sp).CreateLogger<RedisIdempotencyStore>())));
        return services;
    }

    private static ILoggerFactory LoggerFactory(IServiceProvider sp) => sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
}
