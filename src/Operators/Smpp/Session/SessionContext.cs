using Microsoft.Extensions.Logging;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp.Session;

/// <summary>What a session needs from its bind: which bind PDU to send, settings, logging, and where deliver_sm go.</summary>
/// <param name="OperatorName">Operator name for logs.</param>
/// <param name="BindIndex">Bind number within the operator, for logs.</param>
/// <param name="BindCommand">bind_transceiver, bind_transmitter or bind_receiver.</param>
/// <param name="Options">The operator's connection.</param>
/// <param name="Logger">Logger.</param>
/// <param name="OnDeliverSm">Handles a deliver_sm body and returns the command_status for its deliver_sm_resp; must not throw.</param>
internal sealed record SessionContext(
    string OperatorName,
    int BindIndex,
    CommandId BindCommand,
    SmppConnectionOptions Options,
    ILogger Logger,
    Func<byte[], CancellationToken, ValueTask<uint>> OnDeliverSm);
