using System.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Dispatch;

/// <summary>A message taken from the broker, waiting for a send slot; settled by acking <see cref="Delivery"/>.</summary>
/// <param name="Message">The message.</param>
/// <param name="Delivery">Its delivery, acked or nak'ed once settled.</param>
/// <param name="Trace">The delivery's <c>dispatch</c> span (default when not traced): parent of the send and settle spans.</param>
internal sealed record DispatchWork(SmsMessage Message, IDelivery Delivery, ActivityContext Trace = default);
