namespace SmsGateway.Operators.Smpp;

/// <summary>How each bind of an operator connects (SMPP v3.4 Issue 1.2, §2.2).</summary>
public enum BindMode
{
    /// <summary><c>trx</c>: one <c>bind_transceiver</c> connection submits and receives receipts.</summary>
    Transceiver = 0,

    /// <summary><c>tx_rx</c>: a <c>bind_transmitter</c> connection submits, a separate <c>bind_receiver</c> one receives.</summary>
    TransmitterReceiver = 1,
}
