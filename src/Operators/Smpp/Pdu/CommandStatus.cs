using System.Globalization;

namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>
/// SMPP 3.4 <c>command_status</c> values the client acts on (SMPP v3.4 Issue 1.2, §5.1.3), and how each one is classed.
/// </summary>
/// <remarks>Thread-safe: constants and pure functions.</remarks>
public static class CommandStatus
{
    /// <summary>ESME_ROK: no error.</summary>
    public const uint Ok = 0x00000000;

    /// <summary>ESME_RINVBNDSTS: incorrect bind status for the command (the SMSC lost our bind).</summary>
    public const uint InvalidBindStatus = 0x00000004;

    /// <summary>ESME_RSYSERR: system error in the SMSC.</summary>
    public const uint SystemError = 0x00000008;

    /// <summary>ESME_RINVDSTADR: invalid destination address.</summary>
    public const uint InvalidDestinationAddress = 0x0000000B;

    /// <summary>ESME_RBINDFAIL: bind failed.</summary>
    public const uint BindFailed = 0x0000000D;

    /// <summary>ESME_RINVPASWD: invalid password.</summary>
    public const uint InvalidPassword = 0x0000000E;

    /// <summary>ESME_RINVSYSID: invalid system_id.</summary>
    public const uint InvalidSystemId = 0x0000000F;

    /// <summary>ESME_RMSGQFUL: the SMSC's message queue is full.</summary>
    public const uint MessageQueueFull = 0x00000014;

    /// <summary>ESME_RINVCMDID: invalid command id (sent in <c>generic_nack</c> for commands the client does not serve).</summary>
    public const uint InvalidCommandId = 0x00000003;

    /// <summary>ESME_RSUBMITFAIL: submit_sm failed.</summary>
    public const uint SubmitFailed = 0x00000045;

    /// <summary>ESME_RTHROTTLED: throttling error, the ESME exceeded its allowed message rate.</summary>
    public const uint Throttled = 0x00000058;

    /// <summary>ESME_RX_T_APPN: temporary application error; the SMSC should redeliver (our answer when a receipt could not be queued).</summary>
    public const uint TemporaryAppError = 0x00000064;

    /// <summary>True for the statuses that ask the ESME to slow down: <see cref="Throttled"/> and <see cref="MessageQueueFull"/>.</summary>
    public static bool IsThrottle(uint status) => status is Throttled or MessageQueueFull;

    /// <summary>
    /// True when a retry may succeed: throttling, a full queue, SMSC system errors, a lost bind, a failed submit, a temporary
    /// application error. Every other non-zero status (invalid destination, invalid source, bad data coding...) is permanent.
    /// </summary>
    public static bool IsTransient(uint status) =>
        status is Throttled or MessageQueueFull or SystemError or InvalidBindStatus or SubmitFailed or TemporaryAppError;

    /// <summary>The status as the gateway stores it as an error code: eight hex digits, <c>0x0000000B</c>.</summary>
    public static string ToErrorCode(uint status) => "0x" + status.ToString("X8", CultureInfo.InvariantCulture);
}
