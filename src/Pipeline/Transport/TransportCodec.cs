using System.Diagnostics;
using System.Globalization;
using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Transport;

/// <summary>Builds the <see cref="OutgoingMessage"/>s of the flow: key = user id, broker de-duplication id, attempt and trace headers.</summary>
internal static class TransportCodec
{
    // Header sets for the common no-trace case, so the hot path allocates no dictionary.
    private static readonly IReadOnlyDictionary<string, string>[] AttemptHeaders =
        [.. Enumerable.Range(0, 8).Select(i => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [TransportHeaders.Attempt] = i.ToString(CultureInfo.InvariantCulture) })];

    public static OutgoingMessage ForMessage(SmsMessage message) =>
        new(message.UserId, PipelineJson.Serialize(message), string.Create(CultureInfo.InvariantCulture, $"{message.Id:N}.{message.Attempt}"), Headers(message.Attempt));

    public static OutgoingMessage ForStatus(StatusEvent e) =>
        new(e.UserId, PipelineJson.Serialize(e), string.Create(CultureInfo.InvariantCulture, $"{e.MessageId:N}.{(int)e.Status}.{e.Attempt}"), Headers(e.Attempt));

    private static IReadOnlyDictionary<string, string> Headers(int attempt)
    {
        var activity = Activity.Current;
        if (activity is null && attempt < AttemptHeaders.Length)
        {
            return AttemptHeaders[attempt];
        }

        var headers = new Dictionary<string, string>(3) { [TransportHeaders.Attempt] = attempt.ToString(CultureInfo.InvariantCulture) };
        if (activity is { IdFormat: ActivityIdFormat.W3C })
        {
            headers[TransportHeaders.TraceParent] = activity.Id!;
            if (activity.TraceStateString is { } state)
            {
                headers[TransportHeaders.TraceState] = state;
            }
        }

        return headers;
    }
}
