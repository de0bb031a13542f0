namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>The body of <c>bind_transmitter</c> / <c>bind_receiver</c> / <c>bind_transceiver</c> (SMPP v3.4 Issue 1.2, §4.1.1).</summary>
/// <param name="SystemId">system_id, up to 15 characters.</param>
/// <param name="Password">password, up to 8 characters.</param>
/// <param name="SystemType">system_type, up to 12 characters.</param>
internal sealed record BindRequest(string SystemId, string Password, string SystemType)
{
    /// <summary>interface_version 0x34: SMPP 3.4.</summary>
    public const byte InterfaceVersion = 0x34;
}
