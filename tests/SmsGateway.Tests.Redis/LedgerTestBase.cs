using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>
/// The Redis ledger of the shared servers (<see cref="RedisServersFixture"/>) behind its own service provider, disposed after
/// the test class: the common set-up of the ledger test classes.
/// </summary>
public abstract class LedgerTestBase : IAsyncLifetime
{
    protected LedgerTestBase(RedisServersFixture fixture)
    {
        Fixture = fixture;
        Options = fixture.Options();
        Provider = RedisServersFixture.Provider(Options);
        Ledger = Provider.GetRequiredService<IBalanceLedger>();
    }

    /// <summary>The shared Redis servers.</summary>
    protected RedisServersFixture Fixture { get; }

    /// <summary>Options pointing at <see cref="Fixture"/>, with a key prefix of this class's own.</summary>
    protected RedisOptions Options { get; }

    /// <summary>The container the ledger came from.</summary>
    protected ServiceProvider Provider { get; }

    /// <summary>The ledger under test.</summary>
    protected IBalanceLedger Ledger { get; }

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync() => await Provider.DisposeAsync();
}
