namespace SmsGateway.Model;

/// <summary>Delivery class of a message. Express messages are dispatched before any queued normal message.</summary>
public enum MessageType
{
    /// <summary>Bulk traffic, published to <c>sms-normal</c>.</summary>
    Normal = 0,

    /// <summary>Time-critical traffic (one-time passwords), published to <c>sms-express</c>.</summary>
    Express = 1,
}

/// <summary>Wire names of <see cref="MessageType"/> as the API, the metrics and the reports show them.</summary>
public static class MessageTypeNames
{
    /// <summary>Returns <c>"express"</c> or <c>"normal"</c> (the values <c>POST /send</c> accepts in <c>type</c>).</summary>
    public static string ToWireName(this MessageType type) => type == MessageType.Express ? "express" : "normal";
}
