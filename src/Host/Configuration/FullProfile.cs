using Microsoft.Extensions.Options;
using SmsGateway.Postgres;
using SmsGateway.Redis;
using SmsGateway.Transports.Kafka;
using SmsGateway.Transports.Nats;

namespace SmsGateway.Host.Configuration;

/// <summary>
/// The full profile (<c>Gateway:Profile=full</c>): Redis ledger, Redlock and idempotency keys (section <c>Redis</c>), NATS
/// JetStream (section <c>Nats</c>) or Kafka (section <c>Kafka</c>) as selected by <c>Gateway:Transport</c>, and the
/// PostgreSQL status store (section <c>Postgres</c>). Every section is validated here, at start-up; the first invalid value
/// stops the host with a message naming its key.
/// </summary>
internal static class FullProfile
{
    /// <summary>Registers the full profile's parts and returns <paramref name="pipeline"/> with the store's batch settings.</summary>
    /// <exception cref="OptionsValidationException">A section is missing or invalid.</exception>
    public static PipelineOptions AddFullProfile(this IServiceCollection services, IConfiguration configuration, GatewayOptions gateway, PipelineOptions pipeline)
    {
        var redisSection = configuration.GetSection("Redis");
        var redis = Bind(redisSection, new RedisOptions());
        // Lists bound onto an initialised default would be appended to it: take the configured list as it is.
        if (redisSection.GetSection(nameof(RedisOptions.LockEndpoints)).Get<string[]>() is { Length: > 0 } lockEndpoints)
        {
            redis = redis with { LockEndpoints = lockEndpoints };
        }

        Guard("Redis", () => services.AddRedisLedger(redis));

        switch (gateway.Transport.ToLowerInvariant())
        {
            case "nats":
                var nats = Bind(configuration.GetSection("Nats"), new NatsTransportOptions());
                Guard("Nats", () => services.AddNatsTransport(nats));
                break;
            case "kafka":
                var kafkaSection = configuration.GetSection("Kafka");
                var kafka = Bind(kafkaSection, new KafkaTransportOptions());
                if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
                {
                    throw Invalid("Kafka", "Kafka:BootstrapServers is required with Gateway:Transport=kafka");
                }

                Guard("Kafka", () => services.AddKafkaTransport(kafka));
                break;
            default:
                throw Invalid(GatewayOptions.Section, "Gateway:Transport must be 'nats' or 'kafka' with Gateway:Profile=full (several processes share work only through a broker)");
        }

        var postgres = Bind(configuration.GetSection("Postgres"), new PostgresOptions());
        if (string.IsNullOrWhiteSpace(postgres.ConnectionString))
        {
            throw Invalid("Postgres", "Postgres:ConnectionString is required with Gateway:Profile=full");
        }

        Guard("Postgres", () => services.AddPostgresStatusStore(postgres));
        services.AddPostgresScheduleStore(); // scheduled messages (send_at) in PostgreSQL, released by the gateways' scheduler
        return pipeline with { StatusBatchSize = postgres.BatchSize, StatusBatchMaxAge = TimeSpan.FromMilliseconds(postgres.MaxBatchAgeMs) };
    }

    private static T Bind<T>(IConfigurationSection section, T defaults)
        where T : class
    {
        try
        {
            return section.Exists() ? section.Get<T>() ?? defaults : defaults;
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid(section.Path, $"{section.Path}: {ex.Message}");
        }
    }

    private static void Guard(string section, Action register)
    {
        try
        {
            register();
        }
        catch (ArgumentException ex)
        {
            throw Invalid(section, $"{section}: {ex.Message}");
        }
    }

    private static OptionsValidationException Invalid(string section, string message) =>
        new(section, typeof(GatewayOptions), [message]);
}
