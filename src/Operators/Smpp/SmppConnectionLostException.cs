namespace SmsGateway.Operators.Smpp;

/// <summary>The connection closed while a request waited for its response; never escapes the client (it becomes a transient failure).</summary>
/// <param name="reason">Why the connection closed.</param>
public sealed class SmppConnectionLostException(string reason) : Exception("SMPP connection lost: " + reason);
