using SmsGateway.Model;

namespace SmsGateway.Scheduling;

/// <summary>A message found for <c>DELETE /messages/{id}</c>.</summary>
/// <param name="Message">
/// The message: the whole of it from the schedule store; from the status store, its descriptive fields (empty
/// <see cref="SmsMessage.Text"/>, no callback URL: the status store keeps neither).
/// </param>
/// <param name="Status">Its current status as far as this process knows (<c>scheduled</c> while it waits in the schedule store).</param>
public sealed record CancelTarget(SmsMessage Message, MessageStatus Status);
