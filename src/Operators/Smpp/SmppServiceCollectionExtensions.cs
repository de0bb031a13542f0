using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SmsGateway.Dispatch;

namespace SmsGateway.Operators.Smpp;

/// <summary>DI registration of the SMPP operator connection type.</summary>
public static class SmppServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SmppConnectionFactory"/> as an <see cref="IOperatorConnectionFactory"/> (a singleton) so operators
    /// with <c>"connection": {"type": "smpp", ...}</c> get an SMPP client. It uses the <see cref="IDeliveryReceiptSink"/> and
    /// <see cref="IMobileOriginatedHandler"/> registered in the container, when there are any.
    /// </summary>
    public static IServiceCollection AddSmppOperators(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperatorConnectionFactory, SmppConnectionFactory>());
        return services;
    }
}
