namespace SmsGateway.Host.Access;

/// <summary>The seed's three services, in the order of <c>Gateway:Ports</c> (7070, 8081, 6070).</summary>
public enum GatewayService
{
    /// <summary><c>/send</c> and <c>/messages</c>; the first configured port.</summary>
    Gateway,

    /// <summary><c>/charge</c>, <c>/balance</c>, <c>/accounts</c>; the second configured port.</summary>
    Billing,

    /// <summary><c>/report</c> and <c>/messages</c>; the third configured port.</summary>
    Report,
}
