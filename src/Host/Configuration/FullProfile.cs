namespace SmsGateway.Host.Configuration;

/// <summary>The full profile: Redis ledger and Redlock, NATS or Kafka, PostgreSQL (each validated at start-up).</summary>
internal static class FullProfile
{
    public static IServiceCollection AddFullProfile(this IServiceCollection services, IConfiguration configuration, GatewayOptions gateway, PipelineOptions pipeline)
    {
        _ = services;
        _ = configuration;
        _ = gateway;
        _ = pipeline;
        throw new Microsoft.Extensions.Options.OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions),
            ["Gateway:Profile 'full' needs the Redis, NATS/Kafka and PostgreSQL adapters, which this build does not include yet"]);
    }
}
