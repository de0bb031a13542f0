using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp;

/// <summary>The SMSC refused a bind (ESME_RBINDFAIL, ESME_RINVPASWD, ESME_RINVSYSID, ...). The bind retries with backoff.</summary>
/// <param name="status">The bind response's command_status.</param>
public sealed class SmppBindException(uint status) : Exception($"bind refused with command_status {CommandStatus.ToErrorCode(status)}")
{
    /// <summary>The bind response's command_status (SMPP v3.4 Issue 1.2, §5.1.3).</summary>
    public uint Status { get; } = status;
}
