using Microsoft.Extensions.Hosting;

namespace SmsGateway.Postgres;

/// <summary>
/// Applies migrations in <see cref="IHostedLifecycleService.StartingAsync"/>, which the host runs before any hosted
/// service's <c>StartAsync</c>; a failure (<see cref="PostgresMigrationException"/>) stops the host's start-up.
/// </summary>
internal sealed class PostgresMigrationHostedService(PostgresStatusStore store) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
