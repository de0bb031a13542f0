namespace SmsGateway.Operators.Smpp;

/// <summary>A message a subscriber sent towards the gateway's sender (SMPP deliver_sm, not a receipt).</summary>
/// <param name="Operator">Operator whose SMSC delivered it.</param>
/// <param name="Source">The subscriber's address (source_addr).</param>
/// <param name="Destination">The gateway's address it was sent to (destination_addr).</param>
/// <param name="Text">The text, decoded from data_coding 0 (GSM-7 unpacked), 8 (UCS-2) or Latin-1 otherwise.</param>
/// <param name="ReceivedAt">When the client read it (UTC).</param>
public sealed record MobileOriginatedMessage(string Operator, string Source, string Destination, string Text, DateTimeOffset ReceivedAt);
