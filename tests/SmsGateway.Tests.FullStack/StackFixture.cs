namespace SmsGateway.Tests.FullStack;

/// <summary>
/// The servers of the full profile, shared by every test of the collection: three <c>redis-server</c> (ledger on the first,
/// Redlock on all three), <c>nats-server -js</c> and PostgreSQL. Tests isolate themselves by key prefix, stream prefix and
/// database; tests that stop servers start their own.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private PostgresServer? _postgres;

    public RedisServer[] Redis { get; private set; } = [];

    public NatsServer Nats { get; } = new();

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL not started");

    public async Task InitializeAsync()
    {
        var redis = RedisServer.StartManyAsync(3);
        var postgres = PostgresServer.StartAsync();
        var nats = Nats.InitializeAsync();
        await Task.WhenAll(Task.WhenAny(redis), Task.WhenAny(postgres), Task.WhenAny(nats)); // all three settled, failed or not
        Redis = redis.IsCompletedSuccessfully ? redis.Result : [];
        _postgres = postgres.IsCompletedSuccessfully ? postgres.Result : null;
        try
        {
            await Task.WhenAll(redis, postgres, nats);
        }
        catch
        {
            await DisposeAsync(); // one failed to start: stop the others rather than leave them running
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var r in Redis)
        {
            await r.DisposeAsync();
        }

        await Nats.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
