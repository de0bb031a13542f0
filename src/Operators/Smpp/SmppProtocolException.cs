namespace SmsGateway.Operators.Smpp;

/// <summary>The peer sent octets that are not a valid SMPP 3.4 PDU; the connection is closed and re-established.</summary>
public sealed class SmppProtocolException(string message) : Exception(message);
