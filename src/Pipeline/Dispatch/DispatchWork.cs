using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Dispatch;

/// <summary>A message taken from the broker, waiting for a send slot; settled by acking <see cref="Delivery"/>.</summary>
internal sealed record DispatchWork(SmsMessage Message, IDelivery Delivery);
