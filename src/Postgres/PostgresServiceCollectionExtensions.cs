using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmsGateway.Accounts;
using SmsGateway.Postgres.Accounts;
using SmsGateway.Postgres.Scheduling;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.BlockLists;
using SmsGateway.Postgres.BlockLists;
using SmsGateway.Postgres.Templates;
using SmsGateway.Templates;

namespace SmsGateway.Postgres;

/// <summary>DI registration of the PostgreSQL status store.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresStatusStore"/> as the singleton <see cref="IStatusStore"/> and
    /// <see cref="PostgresAccountSettingsStore"/> as the <see cref="IAccountSettingsStore"/>, <see cref="PostgresTemplateStore"/> as the
    /// <see cref="ITemplateStore"/> and <see cref="PostgresBlockListStore"/> as the <see cref="IBlockListStore"/> (replacing any earlier
    /// registration, such as the in-memory stores) and <paramref name="options"/> as a singleton. When
    /// <see cref="PostgresOptions.MigrateOnStart"/> is true, also registers, ahead of every other hosted service, a hosted
    /// service that applies the migrations before any hosted service starts; a failed migration stops the host.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message names the configuration key.</exception>
    public static IServiceCollection AddPostgresStatusStore(this IServiceCollection services, PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        services.RemoveAll<PostgresOptions>();
        services.AddSingleton(options);
        services.RemoveAll<PostgresStatusStore>();
        services.AddSingleton(sp => new PostgresStatusStore(options, sp.GetService<ILogger<PostgresStatusStore>>()));
        services.RemoveAll<IStatusStore>();
        services.AddSingleton<IStatusStore>(sp => sp.GetRequiredService<PostgresStatusStore>());
        services.RemoveAll<IAccountSettingsStore>();
        services.AddSingleton<IAccountSettingsStore>(sp => new PostgresAccountSettingsStore(sp.GetRequiredService<PostgresStatusStore>()));
        services.RemoveAll<ITemplateStore>();
        services.AddSingleton<ITemplateStore>(sp => new PostgresTemplateStore(sp.GetRequiredService<PostgresStatusStore>()));
        services.RemoveAll<IBlockListStore>();
        services.AddSingleton<IBlockListStore>(sp => new PostgresBlockListStore(sp.GetRequiredService<PostgresStatusStore>()));

        var migration = ServiceDescriptor.Singleton<IHostedService, PostgresMigrationHostedService>();
        if (options.MigrateOnStart && !services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PostgresMigrationHostedService)))
        {
            // Hosted services start in registration order: put this one first.
            var first = services.Select((d, i) => (d, i)).FirstOrDefault(x => x.d.ServiceType == typeof(IHostedService));
            if (first.d is null)
            {
                services.Add(migration);
            }
            else
            {
                services.Insert(first.i, migration);
            }
        }

        return services;
    }

    /// <summary>
    /// Registers <see cref="PostgresScheduleStore"/> (table <c>scheduled_messages</c>, migration 0200) as the singleton
    /// <see cref="IScheduleStore"/>, replacing any earlier registration. Call after <see cref="AddPostgresStatusStore"/>: it
    /// shares that store's connection pool.
    /// </summary>
    public static IServiceCollection AddPostgresScheduleStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IScheduleStore>();
        services.AddSingleton<IScheduleStore>(sp => new PostgresScheduleStore(sp.GetRequiredService<PostgresStatusStore>()));
        return services;
    }
}
