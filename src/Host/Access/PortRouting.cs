using SmsGateway.Host.Configuration;

namespace SmsGateway.Host.Access;

/// <summary>
/// Each port serves its own service's paths (<see cref="ServedOn"/>): with three or more <c>Gateway:Ports</c>, the first is
/// the gateway's, the second billing's, the third the report's; a path of another service answers 404 there. With fewer
/// ports, or <c>Gateway:AllPathsOnEveryPort=true</c>, every port serves every path. A connection on a port that is not
/// configured (an in-memory test server) is not restricted.
/// </summary>
internal sealed class PortRouting
{
    private readonly Dictionary<int, GatewayService>? _services;

    public PortRouting(GatewayOptions gateway)
    {
        var ports = gateway.EffectivePorts;
        if (!gateway.AllPathsOnEveryPort && ports.Count >= 3)
        {
            _services = new Dictionary<int, GatewayService>
            {
                [ports[0]] = GatewayService.Gateway,
                [ports[1]] = GatewayService.Billing,
                [ports[2]] = GatewayService.Report,
            };
        }
    }

    /// <summary>False when the endpoint belongs to another port's service.</summary>
    public bool Serves(HttpContext context)
    {
        if (_services is null || context.GetEndpoint()?.Metadata.GetMetadata<ServedOn>() is not { } served ||
            !_services.TryGetValue(context.Connection.LocalPort, out var service))
        {
            return true;
        }

        return served.Services.Contains(service);
    }

    /// <summary>The 404 answer for a path served on another port.</summary>
    public static IResult NotHere() => TypedResults.Problem("this path is served on another port of the gateway (README \"Security\")",
        statusCode: StatusCodes.Status404NotFound, title: "Not found", type: "/problems/not-on-this-port");
}
