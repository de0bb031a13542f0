namespace SmsGateway.Model;

/// <summary>Delivery class of a message. Express messages are dispatched before any queued normal message.</summary>
public enum MessageType
{
    /// <summary>Bulk traffic, published to <c>sms-normal</c>.</summary>
    Normal = 0,

    /// <summary>Time-critical traffic (one-time passwords), published to <c>sms-express</c>.</summary>
    Express = 1,
}
