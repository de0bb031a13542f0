using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmsGateway.Accounts;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Idempotency;
using SmsGateway.Locking;
using SmsGateway.Receipts;
using SmsGateway.Routing;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway;

/// <summary>Registers the pipeline in a service collection.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SmsPipeline"/>, a hosted service that starts <paramref name="roles"/> with the host, and in-memory
    /// defaults for every part not registered already (transport, ledger, lock, an <see cref="OperatorClientRouter"/> over
    /// the operator simulator and every registered <see cref="IOperatorConnectionFactory"/>, status store,
    /// idempotency store, account settings store, template store, block list store, schedule store), and the <see cref="ReceiptCorrelator"/> (also as <see cref="IDeliveryReceiptSink"/>, for
    /// operator clients; its <see cref="ReceiptOptions"/> and the simulator's <see cref="OperatorSimulatorOptions"/> are
    /// taken from the container when registered). Register Redis, NATS, Kafka or PostgreSQL parts before or after this call (they replace the defaults).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Graph settings; defaults when null.</param>
    /// <param name="operatorTablePath">An <c>operator.json</c> to load and watch; the built-in table when null.</param>
    /// <param name="roles">Roles the hosted service starts.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (checked at registration).</exception>
    /// <exception cref="ArgumentException">A consumer-group name is null or blank (checked at registration).</exception>
    /// <remarks>An <paramref name="operatorTablePath"/> that is missing or invalid throws when <see cref="SmsPipeline"/> is first resolved.</remarks>
    public static IServiceCollection AddSmsPipeline(this IServiceCollection services, PipelineOptions? options = null,
        string? operatorTablePath = null, PipelineRoles roles = PipelineRoles.All)
    {
        var validated = (options ?? new PipelineOptions()).Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => operatorTablePath is null
            ? new OperatorTableSource(OperatorTable.Default)
            : new OperatorTableSource(operatorTablePath, sp.GetService<ILogger<OperatorTableSource>>()));
        services.TryAddSingleton<IMessageTransport>(_ => new InMemoryTransport());
        services.TryAddSingleton<IBalanceLedger, InMemoryBalanceLedger>();
        services.TryAddSingleton<IDistributedLockFactory>(sp => new InMemoryLockFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ReceiptCorrelator(sp.GetService<ReceiptOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ReceiptCorrelator>>()));
        services.TryAddSingleton<IDeliveryReceiptSink>(sp => sp.GetRequiredService<ReceiptCorrelator>());
        services.TryAddSingleton(sp => new OperatorSimulator(sp.GetService<OperatorSimulatorOptions>(), sp.GetRequiredService<IDeliveryReceiptSink>()));
        services.TryAddSingleton<IOperatorClient>(sp => new OperatorClientRouter(sp.GetRequiredService<OperatorTableSource>(),
            sp.GetServices<IOperatorConnectionFactory>(), sp.GetRequiredService<OperatorSimulator>(), sp.GetService<ILogger<OperatorClientRouter>>()));
        services.TryAddSingleton<IStatusStore, InMemoryStatusStore>();
        services.TryAddSingleton<IAccountSettingsStore, InMemoryAccountSettingsStore>();
        services.TryAddSingleton<Templates.ITemplateStore, Templates.InMemoryTemplateStore>();
        services.TryAddSingleton<BlockLists.IBlockListStore, BlockLists.InMemoryBlockListStore>();
        services.TryAddSingleton<IIdempotencyStore>(sp => new InMemoryIdempotencyStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PipelineMetrics>();
        services.TryAddSingleton<IScheduleStore, InMemoryScheduleStore>();
        services.TryAddSingleton(sp => new SmsPipeline(validated, sp.GetRequiredService<OperatorTableSource>(),
            sp.GetRequiredService<IMessageTransport>(), sp.GetRequiredService<IBalanceLedger>(), sp.GetRequiredService<IDistributedLockFactory>(),
            sp.GetRequiredService<IOperatorClient>(), sp.GetRequiredService<IStatusStore>(), sp.GetRequiredService<PipelineMetrics>(),
            sp.GetService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ReceiptCorrelator>(),
            sp.GetRequiredService<IScheduleStore>()));
        services.AddHostedService(sp => new SmsPipelineHostedService(sp.GetRequiredService<SmsPipeline>(), roles));
        return services;
    }
}

/// <summary>Starts the pipeline's roles with the host and stops them gracefully with it.</summary>
internal sealed class SmsPipelineHostedService(SmsPipeline pipeline, PipelineRoles roles) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => pipeline.StartAsync(roles, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => pipeline.StopAsync(cancellationToken);
}
