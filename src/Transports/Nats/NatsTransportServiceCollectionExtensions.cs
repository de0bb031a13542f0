using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>DI registration of the NATS JetStream transport.</summary>
public static class NatsTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NatsTransport"/> as the singleton <see cref="IMessageTransport"/>, replacing any earlier one
    /// (e.g. the in-memory default). Options are validated here; the connection opens on first use.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static IServiceCollection AddNatsTransport(this IServiceCollection services, NatsTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.RemoveAll<NatsTransport>();
        services.AddSingleton(sp => new NatsTransport(options, sp.GetService<ILoggerFactory>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageTransport>(sp => sp.GetRequiredService<NatsTransport>()));
        return services;
    }
}
