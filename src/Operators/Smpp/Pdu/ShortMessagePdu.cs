namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>
/// The body of <c>submit_sm</c> (SMPP v3.4 Issue 1.2, §4.4.1) and <c>deliver_sm</c> (§4.6.1), which share their mandatory
/// parameters. Addresses are ASCII; <see cref="ShortMessage"/> holds the raw octets (UDH included when
/// <see cref="EsmClass"/> has the UDHI bit 0x40).
/// </summary>
internal sealed record ShortMessagePdu
{
    /// <summary>esm_class bit 6: the short message starts with a user data header (§5.2.12).</summary>
    public const byte UdhIndicator = 0x40;

    /// <summary>esm_class bits 2..5 value 0b0001: the deliver_sm is an SMSC delivery receipt (§5.2.12).</summary>
    public const byte ReceiptType = 0x04;

    /// <summary>service_type, up to 5 characters.</summary>
    public string ServiceType { get; init; } = string.Empty;

    /// <summary>source_addr_ton (§5.2.5).</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi (§5.2.6).</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr, up to 20 characters.</summary>
    public string SourceAddr { get; init; } = string.Empty;

    /// <summary>dest_addr_ton.</summary>
    public byte DestTon { get; init; }

    /// <summary>dest_addr_npi.</summary>
    public byte DestNpi { get; init; }

    /// <summary>destination_addr, up to 20 characters.</summary>
    public string DestAddr { get; init; } = string.Empty;

    /// <summary>esm_class (§5.2.12).</summary>
    public byte EsmClass { get; init; }

    /// <summary>protocol_id.</summary>
    public byte ProtocolId { get; init; }

    /// <summary>priority_flag.</summary>
    public byte PriorityFlag { get; init; }

    /// <summary>validity_period (§5.2.15, format §7.1.1): 16 characters, or empty for the SMSC's default.</summary>
    public string ValidityPeriod { get; init; } = string.Empty;

    /// <summary>registered_delivery (§5.2.17): 1 asks for a receipt on final success or failure.</summary>
    public byte RegisteredDelivery { get; init; }

    /// <summary>data_coding (§5.2.19): 0 SMSC default alphabet, 8 UCS-2.</summary>
    public byte DataCoding { get; init; }

    /// <summary>short_message octets, 0..254 (§5.2.21).</summary>
    public ReadOnlyMemory<byte> ShortMessage { get; init; }

    /// <summary>Optional parameters.</summary>
    public IReadOnlyList<Tlv> Tlvs { get; init; } = [];

    /// <summary>True when <see cref="EsmClass"/> marks an SMSC delivery receipt.</summary>
    public bool IsDeliveryReceipt => (EsmClass & 0x3C) == ReceiptType;

    /// <summary>The value of the first TLV with <paramref name="tag"/>, or null.</summary>
    public ReadOnlyMemory<byte>? Find(ushort tag)
    {
        foreach (var tlv in Tlvs)
        {
            if (tlv.Tag == tag)
            {
                return tlv.Value;
            }
        }

        return null;
    }
}
