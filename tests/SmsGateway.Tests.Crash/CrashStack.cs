using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// The servers of one crash case, its own so that faults injected into them touch no other case: three
/// <c>redis-server</c> (ledger on the first, Redlock on all three), PostgreSQL, and the broker (<c>nats-server -js</c>
/// or a 3-node <c>nats-server</c> cluster with R3 streams, or librdkafka's mock cluster hosted in the test process, outside
/// the gateway process so it outlives a kill -9 of the gateway).
/// </summary>
public sealed class CrashStack : IAsyncDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("smsgw-crash-").FullName;

    private CrashStack(RedisServer[] redis, PostgresServer postgres, string database, NatsServer? nats, NatsCluster? natsCluster, KafkaMockCluster? kafka)
    {
        Redis = redis;
        Postgres = postgres;
        Database = database;
        Nats = nats;
        NatsCluster = natsCluster;
        Kafka = kafka;
    }

    /// <summary>Ledger node (index 0, also a lock node) and the two other Redlock nodes.</summary>
    public RedisServer[] Redis { get; }

    /// <summary>The status store's server.</summary>
    public PostgresServer Postgres { get; }

    /// <summary>Connection string of this case's database.</summary>
    public string Database { get; }

    /// <summary>The NATS broker, when the case runs over NATS.</summary>
    public NatsServer? Nats { get; }

    /// <summary>The 3-node NATS cluster (streams with three replicas), when the case runs over <c>nats-r3</c>.</summary>
    public NatsCluster? NatsCluster { get; }

    /// <summary>The Kafka mock cluster, when the case runs over Kafka.</summary>
    internal KafkaMockCluster? Kafka { get; }

    /// <summary>The operator simulator's send log of this case (shared by every life of the gateway).</summary>
    public string SendLogPath => Path.Combine(_workDir, "operator-sends.log");

    /// <summary>Starts the servers; <paramref name="transport"/> is <c>nats</c>, <c>nats-r3</c> (3-node cluster) or <c>kafka</c>.</summary>
    public static async Task<CrashStack> StartAsync(string transport)
    {
        var redis = RedisServer.StartManyAsync(3);
        PostgresServer? postgres = null;
        NatsServer? nats = null;
        NatsCluster? cluster = null;
        KafkaMockCluster? kafka = null;
        try
        {
            postgres = await PostgresServer.StartAsync();
            switch (transport)
            {
                case "nats":
                    nats = new NatsServer();
                    await nats.StartAsync();
                    break;
                case "nats-r3":
                    cluster = await NatsCluster.StartAsync();
                    break;
                case "kafka":
                    kafka = KafkaMockCluster.Start();
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(transport), transport, "nats, nats-r3 or kafka");
            }

            return new CrashStack(await redis, postgres, await postgres.CreateDatabaseAsync("crash"), nats, cluster, kafka);
        }
        catch
        {
            // One part failed to start: stop the parts that did, rather than leave them running.
            await Task.WhenAny(redis);
            await StopAsync(redis.IsCompletedSuccessfully ? redis.Result : [], postgres, nats, cluster, kafka);
            throw;
        }
    }

    /// <summary>Index (0..2) of the cluster node that leads <paramref name="stream"/> now, asked over any live node.</summary>
    /// <exception cref="InvalidOperationException">Not a cluster case.</exception>
    /// <exception cref="TimeoutException">No node named the leader within 30 s (the JetStream API answers slowly under load).</exception>
    public async Task<int> StreamLeaderAsync(string stream)
    {
        var cluster = NatsCluster ?? throw new InvalidOperationException("not a NATS cluster case");
        await using var connection = new NatsConnection(new NatsOpts { Url = cluster.Url, Name = "crash-suite", RequestTimeout = TimeSpan.FromSeconds(5) });
        var js = new NatsJSContext(connection);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await js.GetStreamAsync(stream)).Info.Cluster?.Leader is { } leader)
                {
                    return int.Parse(leader.AsSpan(1), CultureInfo.InvariantCulture); // NatsCluster names its nodes n0, n1, n2
                }
            }
            catch (NatsException) when (DateTime.UtcNow < deadline)
            {
                // no JetStream API answer yet (NatsJSApiNoResponseException): ask again
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no node named the leader of {stream} within 30 s");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Configuration of a full-profile gateway on these servers, operator sends logged to <see cref="SendLogPath"/>.</summary>
    public Dictionary<string, string> GatewaySettings()
    {
        var s = new Dictionary<string, string>
        {
            ["Gateway:Profile"] = "full",
            ["Gateway:Simulator:SendLogPath"] = SendLogPath,
            ["Redis:LedgerEndpoint"] = Redis[0].Endpoint,
            ["Redis:ConnectTimeoutMs"] = "5000",
            ["Postgres:ConnectionString"] = Database,
            ["Pipeline:Retry:BaseDelay"] = "00:00:00.050",
            ["Pipeline:Retry:MaxDelay"] = "00:00:00.500",
        };
        for (var i = 0; i < Redis.Length; i++)
        {
            s[$"Redis:LockEndpoints:{i}"] = Redis[i].Endpoint;
        }

        if (Nats is not null)
        {
            s["Gateway:Transport"] = "nats";
            s["Nats:Url"] = Nats.Url;
        }
        else if (NatsCluster is not null)
        {
            // the seed list of all three nodes: the client reconnects to a live one when its node dies
            s["Gateway:Transport"] = "nats";
            s["Nats:Url"] = NatsCluster.Url;
            s["Nats:Replicas"] = "3";
        }
        else
        {
            s["Gateway:Transport"] = "kafka";
            s["Kafka:BootstrapServers"] = Kafka!.BootstrapServers;
            s["Kafka:SessionTimeoutMs"] = "6000";
            s["Kafka:HeartbeatIntervalMs"] = "500";
            s["Kafka:PublishTimeoutMs"] = "5000";
        }

        return s;
    }

    /// <summary>Charges <paramref name="count"/> users <paramref name="amount"/> minor units each; returns user → charged.</summary>
    public static async Task<Dictionary<string, long>> ChargeUsersAsync(GatewayProcess host, int count, long amount)
    {
        using var billing = host.Client(host.BillingPort, TimeSpan.FromSeconds(30));
        var prefix = "c" + Guid.NewGuid().ToString("N")[..6];
        var users = new Dictionary<string, long>();
        for (var i = 0; i < count; i++)
        {
            var user = prefix + i.ToString(CultureInfo.InvariantCulture);
            using var response = await billing.PostAsync($"/charge/{user}?amount={amount}", null);
            Assert.True(response.IsSuccessStatusCode, $"charge {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            users[user] = amount;
        }

        return users;
    }

    /// <summary>Stops every server and deletes the case's files.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(Redis, Postgres, Nats, NatsCluster, Kafka);
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }

    // Stops the servers that are there (a failed start may have only some of them).
    private static async Task StopAsync(RedisServer[] redis, PostgresServer? postgres, NatsServer? nats, NatsCluster? cluster, KafkaMockCluster? kafka)
    {
        foreach (var r in redis)
        {
            await r.DisposeAsync();
        }

        if (nats is not null)
        {
            await nats.DisposeAsync();
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        kafka?.Dispose();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}
