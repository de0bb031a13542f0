namespace SmsGateway.Host.Access;

/// <summary>
/// Endpoint metadata: which service's port serves the endpoint (README "Security", "Ports"). Endpoints without it (health,
/// metrics, OpenAPI) answer on every port.
/// </summary>
/// <param name="Services">The services whose port serves the endpoint.</param>
public sealed record ServedOn(params GatewayService[] Services)
{
    /// <summary><c>/send</c>: the gateway port (7070).</summary>
    public static readonly ServedOn Gateway = new(GatewayService.Gateway);

    /// <summary><c>/charge</c>, <c>/balance</c>, <c>/accounts</c>: the billing port (8081).</summary>
    public static readonly ServedOn Billing = new(GatewayService.Billing);

    /// <summary><c>/report</c>: the report port (6070).</summary>
    public static readonly ServedOn Report = new(GatewayService.Report);

    /// <summary><c>/messages</c>: the gateway and report ports.</summary>
    public static readonly ServedOn GatewayAndReport = new(GatewayService.Gateway, GatewayService.Report);
}
