using System.Text;
using Microsoft.Extensions.Logging;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp.Pdu;
using SmsGateway.Operators.Smpp.Receipts;
using SmsGateway.Operators.Smpp.Session;
using SmsGateway.Operators.Smpp.Submit;

namespace SmsGateway.Operators.Smpp;

/// <summary>
/// One operator over SMPP 3.4: its binds (transceivers, or transmitter + receiver pairs), submits with retries of
/// throttled parts, and receipts handed to <see cref="IDeliveryReceiptSink"/>. See README "Operators over SMPP".
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="SendAsync"/> never throws for network faults: a part written but unanswered (connection lost,
/// response timeout) ends the attempt as a transient failure and is never written again in the same attempt; a part never
/// written waits for a bind. For a multipart message the parts go in order through one bind and the result carries the
/// message_id of the last part (receipts arrive per part).
/// </remarks>
internal sealed class SmppOperatorClient : IOperatorClient, IAsyncDisposable
{
    private readonly string _operator;
    private readonly SmppConnectionOptions _options;
    private readonly IDeliveryReceiptSink? _receipts;
    private readonly IMobileOriginatedHandler? _mo;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SmppBind[] _transmitters;
    private readonly SmppBind[] _receivers;
    private int _nextBind;
    private int _reference;
    private int _disposed;

    public SmppOperatorClient(string operatorName, SmppConnectionOptions options, IDeliveryReceiptSink? receipts, IMobileOriginatedHandler? mo, ILogger logger, TimeProvider? time = null)
    {
        _operator = operatorName;
        _options = options;
        _receipts = receipts;
        _mo = mo;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _reference = Random.Shared.Next(ushort.MaxValue);
        bool pairs = options.BindMode == BindMode.TransmitterReceiver;
        _transmitters = new SmppBind[options.Binds];
        _receivers = pairs ? new SmppBind[options.Binds] : [];
        for (int i = 0; i < options.Binds; i++)
        {
            _transmitters[i] = NewBind(i, pairs ? CommandId.BindTransmitter : CommandId.BindTransceiver);
            if (pairs)
            {
                _receivers[i] = NewBind(options.Binds + i, CommandId.BindReceiver);
            }
        }

        foreach (var bind in _transmitters.Concat(_receivers))
        {
            bind.Start();
        }
    }

    /// <summary>The binds that submit (transceivers or transmitters), for tests and the benchmark.</summary>
    internal IReadOnlyList<SmppBind> Transmitters => _transmitters;

    /// <summary>The receiver binds of <c>tx_rx</c> mode (empty for <c>trx</c>).</summary>
    internal IReadOnlyList<SmppBind> Receivers => _receivers;

    /// <inheritdoc />
    public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShortMessagePdu> parts;
        try
        {
            var source = SourceAddress.Choose(message.From, _options); // the sender id the account chose, else the operator default
            parts = SubmitSmBuilder.Build(message, source, _options, (ushort)Interlocked.Increment(ref _reference), _time.GetUtcNow());
        }
        catch (ArgumentException ex)
        {
            SmppLog.Unencodable(_logger, ex, _operator, message.Id);
            return new SendResult(SendOutcome.PermanentFailure, "unencodable");
        }

        uint? lastThrottle = null;
        try
        {
            var bind = await PickBindAsync(cancellationToken).ConfigureAwait(false);
            string? messageId = null;
            foreach (var part in parts)
            {
                while (true)
                {
                    var r = await bind.SubmitAsync(part, cancellationToken).ConfigureAwait(false);
                    if (r.State == SubmitState.NotSent)
                    {
                        bind = await PickBindAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (r.State == SubmitState.ConnectionLost)
                    {
                        return new SendResult(SendOutcome.TransientFailure, "connection_lost");
                    }

                    if (r.State == SubmitState.TimedOut)
                    {
                        return new SendResult(SendOutcome.TransientFailure, "timeout");
                    }

                    if (CommandStatus.IsThrottle(r.Status))
                    {
                        lastThrottle = r.Status; // the SMSC refused it: safe to submit again after the bind's pause
                        continue;
                    }

                    if (r.Status != CommandStatus.Ok)
                    {
                        var outcome = CommandStatus.IsTransient(r.Status) ? SendOutcome.TransientFailure : SendOutcome.PermanentFailure;
                        return new SendResult(outcome, CommandStatus.ToErrorCode(r.Status));
                    }

                    messageId = r.MessageId;
                    break;
                }
            }

            return new SendResult(SendOutcome.Accepted, null, messageId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the send timeout ran out: while throttled, or waiting for a bind or a window slot
            return new SendResult(SendOutcome.TransientFailure, lastThrottle is { } s ? CommandStatus.ToErrorCode(s) : "timeout");
        }
        catch (ObjectDisposedException)
        {
            // the client was replaced (operator.json reload) or is shutting down while this send waited
            return new SendResult(SendOutcome.TransientFailure, "client_disposed");
        }
    }

    /// <summary>Unbinds every bind (§4.2) and closes the connections. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(_transmitters.Concat(_receivers).Select(b => b.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private SmppBind NewBind(int index, CommandId command) =>
        new(new SessionContext(_operator, index, command, _options, _logger, OnDeliverSmAsync));

    /// <summary>The next bound transmitter in round-robin order; waits for one when none is bound.</summary>
    private async ValueTask<SmppBind> PickBindAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int start = Interlocked.Increment(ref _nextBind);
            for (int i = 0; i < _transmitters.Length; i++)
            {
                var bind = _transmitters[(int)((uint)(start + i) % (uint)_transmitters.Length)];
                if (bind.IsBound)
                {
                    return bind;
                }
            }

            await Task.WhenAny(_transmitters.Select(b => b.WhenBound)).WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(1, cancellationToken).ConfigureAwait(false); // a bind that just dropped may still show its old signal
        }
    }

    /// <summary>deliver_sm (§4.6.1): a receipt goes to the sink, anything else to the MO handler; returns the deliver_sm_resp status.</summary>
    private async ValueTask<uint> OnDeliverSmAsync(byte[] body, CancellationToken cancellationToken)
    {
        ShortMessagePdu pdu;
        try
        {
            pdu = PduCodec.DecodeShortMessage(body);
        }
        catch (SmppProtocolException ex)
        {
            SmppLog.BadDeliverSm(_logger, ex, _operator);
            return CommandStatus.Ok; // answering anything else would make the SMSC send the same bad PDU again
        }

        var now = _time.GetUtcNow();
        if (pdu.IsDeliveryReceipt)
        {
            switch (DeliveryReceiptParser.Parse(_operator, pdu, now, out var receipt))
            {
                case DeliveryReceiptParser.Result.NoId:
                    SmppLog.ReceiptWithoutId(_logger, _operator);
                    return CommandStatus.Ok;
                case DeliveryReceiptParser.Result.Intermediate:
                    SmppLog.IntermediateReceipt(_logger, _operator, receipt.Stat, null);
                    return CommandStatus.Ok;
            }

            if (_receipts is null)
            {
                SmppLog.ReceiptWithoutSink(_logger, _operator, receipt.OperatorMessageId, receipt.Stat);
                return CommandStatus.Ok;
            }

            try
            {
                await _receipts.OnReceiptAsync(receipt, cancellationToken).ConfigureAwait(false);
                return CommandStatus.Ok;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                SmppLog.ReceiptSinkFailed(_logger, ex, _operator, receipt.OperatorMessageId);
                return CommandStatus.TemporaryAppError;
            }
        }

        var text = pdu.DataCoding switch
        {
            SubmitSmBuilder.DataCodingDefault => Gsm7Septets.Decode(SkipUdh(pdu)),
            SubmitSmBuilder.DataCodingUcs2 => Encoding.BigEndianUnicode.GetString(SkipUdh(pdu)),
            _ => Encoding.Latin1.GetString(SkipUdh(pdu)),
        };
        var mo = new MobileOriginatedMessage(_operator, pdu.SourceAddr, pdu.DestAddr, text, now);
        if (_mo is null)
        {
            SmppLog.MobileOriginatedUnhandled(_logger, _operator, mo.Source, mo.Destination, text.Length);
            return CommandStatus.Ok;
        }

        try
        {
            await _mo.OnMessageAsync(mo, cancellationToken).ConfigureAwait(false);
            return CommandStatus.Ok;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SmppLog.MobileOriginatedFailed(_logger, ex, _operator);
            return CommandStatus.TemporaryAppError;
        }
    }

    private static ReadOnlySpan<byte> SkipUdh(ShortMessagePdu pdu)
    {
        var sm = pdu.ShortMessage.Length > 0 ? pdu.ShortMessage.Span : (pdu.Find(TlvTag.MessagePayload) ?? ReadOnlyMemory<byte>.Empty).Span;
        return (pdu.EsmClass & ShortMessagePdu.UdhIndicator) != 0 && sm.Length > 0 && sm[0] < sm.Length ? sm[(sm[0] + 1)..] : sm;
    }
}
