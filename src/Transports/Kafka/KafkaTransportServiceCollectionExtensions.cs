using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Producing;

namespace SmsGateway.Transports.Kafka;

/// <summary>DI registration of the Kafka transport.</summary>
public static class KafkaTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KafkaTransport"/> as the singleton <see cref="IMessageTransport"/>, replacing any earlier
    /// registration (the in-memory default), and a hosted service that warms its producers up at start
    /// (<see cref="KafkaTransport.WarmUpAsync"/>). The options are validated now, so a bad configuration fails at start-up.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid <paramref name="options"/>.</exception>
    public static IServiceCollection AddKafkaTransport(this IServiceCollection services, KafkaTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.TryAddSingleton(options);
        services.Replace(ServiceDescriptor.Singleton<IMessageTransport>(sp => new KafkaTransport(options, sp.GetService<ILoggerFactory>())));
        services.AddHostedService<ProducerWarmUp>();
        return services;
    }
}
