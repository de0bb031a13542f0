namespace SmsGateway.Operators.Smpp;

/// <summary>
/// Receives mobile-originated messages (a deliver_sm that is not a receipt). Optional: when none is registered in DI the
/// client logs each MO message and answers it.
/// </summary>
/// <remarks>Called from a bind's read loop, possibly from several binds at once: implementations are thread-safe and quick.</remarks>
public interface IMobileOriginatedHandler
{
    /// <summary>Handles one MO message; the client answers deliver_sm_resp once this completes (ESME_RX_T_APPN if it throws).</summary>
    ValueTask OnMessageAsync(MobileOriginatedMessage message, CancellationToken cancellationToken);
}
