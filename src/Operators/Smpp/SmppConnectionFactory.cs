using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Dispatch;

namespace SmsGateway.Operators.Smpp;

/// <summary>
/// Builds SMPP 3.4 clients for operators whose <c>connection.type</c> is <c>smpp</c> (see <see cref="SmppConnectionOptions"/>
/// for the keys). Each client binds in the background as soon as it is created.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class SmppConnectionFactory : IOperatorConnectionFactory
{
    private readonly IDeliveryReceiptSink? _receipts;
    private readonly IMobileOriginatedHandler? _mo;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;

    /// <summary>Creates the factory.</summary>
    /// <param name="receipts">Where delivery receipts go; when null they are logged and answered.</param>
    /// <param name="mobileOriginated">Where MO messages go; when null they are logged and answered.</param>
    /// <param name="loggers">Logging; null for none.</param>
    /// <param name="time">Clock for receipt times; null for the system clock.</param>
    public SmppConnectionFactory(IDeliveryReceiptSink? receipts = null, IMobileOriginatedHandler? mobileOriginated = null, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        _receipts = receipts;
        _mo = mobileOriginated;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Type => "smpp";

    /// <inheritdoc />
    public void Validate(string operatorName, JsonElement connection) => SmppConnectionOptions.Parse(operatorName, connection);

    /// <inheritdoc />
    /// <returns>A client that is also <see cref="IAsyncDisposable"/>: disposing it unbinds every bind.</returns>
    public IOperatorClient Create(string operatorName, JsonElement connection) => Create(operatorName, SmppConnectionOptions.Parse(operatorName, connection));

    /// <summary>Creates a client from options already parsed.</summary>
    /// <returns>A client that is also <see cref="IAsyncDisposable"/>: disposing it unbinds every bind.</returns>
    public IOperatorClient Create(string operatorName, SmppConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SmppOperatorClient(operatorName, options, _receipts, _mo, _loggers.CreateLogger("SmsGateway.Operators.Smpp." + operatorName), _time);
    }
}
