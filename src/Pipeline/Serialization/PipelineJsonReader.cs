using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SmsGateway.Model;

namespace SmsGateway.Serialization;

/// <summary>
/// Hand-written readers for the two payloads of the flow, used before the generated deserializer. They exist because the
/// generated one builds these positional records through System.Text.Json's parameterized-constructor path, which boxes
/// every argument and caches them in per-call state: in profiles of the embedded graph, decoding was the largest single cost
/// of the dispatch and status stages (three decodes per message).
/// </summary>
/// <remarks>
/// A reader accepts only the shape <see cref="PipelineJson"/> writes: known snake_case names in any order, unknown names
/// skipped, enum members by their exact names, every non-optional field present. Anything else (numbers for enums, other
/// casing, a missing field, malformed JSON) returns false and the caller falls back to the generated deserializer, which
/// stays the definition of what the wire format accepts and of the errors it reports.
/// </remarks>
internal static class PipelineJsonReader
{
    private const int MessageRequired = (1 << 10) - 1; // one bit per non-optional field
    private const int StatusRequired = (1 << 12) - 1;

    /// <summary>Reads a message payload; false when the payload is not in the writer's shape.</summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out SmsMessage? message)
    {
        var reader = new Utf8JsonReader(utf8);
        if (Started(ref reader) && TryReadMessage(ref reader, out message) && Ended(ref reader))
        {
            return true;
        }

        message = null;
        return false;
    }

    /// <summary>
    /// Reads one message object in place, the way frames and batches read their members without a second pass:
    /// <paramref name="reader"/> stands on the object's <c>StartObject</c> and, on true, is left on its <c>EndObject</c>.
    /// False when the object is not in the writer's shape or the JSON is malformed; the reader's position is then unspecified.
    /// </summary>
    public static bool TryReadMessage(ref Utf8JsonReader reader, [NotNullWhen(true)] out SmsMessage? message)
    {
        message = null;
        try
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            Guid id = default;
            string? userId = null, msisdn = null, text = null, op = null;
            MessageType type = default;
            SmsEncoding encoding = default;
            int segments = 0, attempt = 1, seen = 0;
            long cost = 0;
            DateTimeOffset acceptedAt = default;
            DateTimeOffset? notBefore = null, validUntil = null;
            string? from = null, callbackUrl = null;
            Guid? batchId = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetGuid(out id)) return false;
                    seen |= 1 << 0;
                }
                else if (reader.ValueTextEquals("from"u8))
                {
                    if (!TryNullableString(ref reader, out from)) return false;
                }
                else if (reader.ValueTextEquals("callback_url"u8))
                {
                    if (!TryNullableString(ref reader, out callbackUrl)) return false;
                }
                else if (reader.ValueTextEquals("batch_id"u8))
                {
                    if (!TryNullableGuid(ref reader, out batchId)) return false;
                }
                else if (reader.ValueTextEquals("user_id"u8))
                {
                    if (!TryString(ref reader, out userId)) return false;
                    seen |= 1 << 1;
                }
                else if (reader.ValueTextEquals("msisdn"u8))
                {
                    if (!TryString(ref reader, out msisdn)) return false;
                    seen |= 1 << 2;
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    if (!TryString(ref reader, out text)) return false;
                    seen |= 1 << 3;
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    if (!TryType(ref reader, out type)) return false;
                    seen |= 1 << 4;
                }
                else if (reader.ValueTextEquals("operator"u8))
                {
                    if (!TryString(ref reader, out op)) return false;
                    seen |= 1 << 5;
                }
                else if (reader.ValueTextEquals("encoding"u8))
                {
                    if (!TryEncoding(ref reader, out encoding)) return false;
                    seen |= 1 << 6;
                }
                else if (reader.ValueTextEquals("segments"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out segments)) return false;
                    seen |= 1 << 7;
                }
                else if (reader.ValueTextEquals("cost"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt64(out cost)) return false;
                    seen |= 1 << 8;
                }
                else if (reader.ValueTextEquals("accepted_at"u8))
                {
                    if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetDateTimeOffset(out acceptedAt)) return false;
                    seen |= 1 << 9;
                }
                else if (reader.ValueTextEquals("attempt"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out attempt)) return false;
                }
                else if (reader.ValueTextEquals("not_before"u8))
                {
                    if (!TryNullableTime(ref reader, out notBefore)) return false;
                }
                else if (reader.ValueTextEquals("valid_until"u8))
                {
                    if (!TryNullableTime(ref reader, out validUntil)) return false;
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || seen != MessageRequired)
            {
                return false; // a missing field: let the generated reader decide
            }

            message = new SmsMessage(id, userId!, msisdn!, text!, type, op!, encoding, segments, cost, acceptedAt, attempt, notBefore, from, callbackUrl, batchId, validUntil);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads a status event payload; false when the payload is not in the writer's shape.</summary>
    public static bool TryReadStatus(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out StatusEvent? statusEvent)
    {
        var reader = new Utf8JsonReader(utf8);
        if (Started(ref reader) && TryReadStatus(ref reader, out statusEvent) && Ended(ref reader))
        {
            return true;
        }

        statusEvent = null;
        return false;
    }

    /// <summary>
    /// Reads one status object in place, the way frames and batches read their members without a second pass:
    /// <paramref name="reader"/> stands on the object's <c>StartObject</c> and, on true, is left on its <c>EndObject</c>.
    /// False when the object is not in the writer's shape or the JSON is malformed; the reader's position is then unspecified.
    /// </summary>
    public static bool TryReadStatus(ref Utf8JsonReader reader, [NotNullWhen(true)] out StatusEvent? statusEvent)
    {
        statusEvent = null;
        try
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            Guid id = default;
            string? userId = null, msisdn = null, op = null, errorCode = null, text = null;
            Guid? batchId = null;
            MessageStatus status = default;
            MessageType type = default;
            SmsEncoding encoding = default;
            int attempt = 0, segments = 0, seen = 0;
            long cost = 0;
            DateTimeOffset at = default, acceptedAt = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("message_id"u8))
                {
                    if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetGuid(out id)) return false;
                    seen |= 1 << 0;
                }
                else if (reader.ValueTextEquals("user_id"u8))
                {
                    if (!TryString(ref reader, out userId)) return false;
                    seen |= 1 << 1;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    if (!TryStatus(ref reader, out status)) return false;
                    seen |= 1 << 2;
                }
                else if (reader.ValueTextEquals("attempt"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out attempt)) return false;
                    seen |= 1 << 3;
                }
                else if (reader.ValueTextEquals("at"u8))
                {
                    if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetDateTimeOffset(out at)) return false;
                    seen |= 1 << 4;
                }
                else if (reader.ValueTextEquals("msisdn"u8))
                {
                    if (!TryString(ref reader, out msisdn)) return false;
                    seen |= 1 << 5;
                }
                else if (reader.ValueTextEquals("operator"u8))
                {
                    if (!TryString(ref reader, out op)) return false;
                    seen |= 1 << 6;
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    if (!TryType(ref reader, out type)) return false;
                    seen |= 1 << 7;
                }
                else if (reader.ValueTextEquals("encoding"u8))
                {
                    if (!TryEncoding(ref reader, out encoding)) return false;
                    seen |= 1 << 8;
                }
                else if (reader.ValueTextEquals("segments"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out segments)) return false;
                    seen |= 1 << 9;
                }
                else if (reader.ValueTextEquals("cost"u8))
                {
                    if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt64(out cost)) return false;
                    seen |= 1 << 10;
                }
                else if (reader.ValueTextEquals("accepted_at"u8))
                {
                    if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetDateTimeOffset(out acceptedAt)) return false;
                    seen |= 1 << 11;
                }
                else if (reader.ValueTextEquals("batch_id"u8))
                {
                    if (!TryNullableGuid(ref reader, out batchId)) return false;
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    if (!TryNullableString(ref reader, out text)) return false;
                }
                else if (reader.ValueTextEquals("error_code"u8))
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        errorCode = null;
                    }
                    else if (reader.TokenType == JsonTokenType.String)
                    {
                        errorCode = reader.GetString();
                    }
                    else
                    {
                        return false;
                    }
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || seen != StatusRequired)
            {
                return false;
            }

            statusEvent = new StatusEvent(id, userId!, status, attempt, at, msisdn!, op!, type, encoding, segments, cost, acceptedAt, errorCode, batchId, text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The first token of a payload; false for an empty or malformed one (the generated reader then reports the error).
    private static bool Started(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // True when nothing but whitespace follows the object just read (trailing content: let the generated reader decide).
    private static bool Ended(ref Utf8JsonReader reader)
    {
        try
        {
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Next(ref Utf8JsonReader reader, JsonTokenType expected) => reader.Read() && reader.TokenType == expected;

    private static bool TryString(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? value)
    {
        value = Next(ref reader, JsonTokenType.String) ? reader.GetString() : null;
        return value is not null;
    }

    // An optional string: a string or null (absent fields stay null).
    private static bool TryNullableString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read()) return false;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String) return false;
        value = reader.GetString();
        return true;
    }

    // An optional UUID: a UUID string or null.
    private static bool TryNullableGuid(ref Utf8JsonReader reader, out Guid? value)
    {
        value = null;
        if (!reader.Read()) return false;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetGuid(out var g)) return false;
        value = g;
        return true;
    }

    private static bool TryNullableTime(ref Utf8JsonReader reader, out DateTimeOffset? value)
    {
        value = null;
        if (!reader.Read()) return false;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var time)) return false;
        value = time;
        return true;
    }

    private static bool TryType(ref Utf8JsonReader reader, out MessageType value)
    {
        value = default;
        if (!Next(ref reader, JsonTokenType.String)) return false;
        if (reader.ValueTextEquals("Express"u8)) value = MessageType.Express;
        else if (!reader.ValueTextEquals("Normal"u8)) return false;
        return true;
    }

    private static bool TryEncoding(ref Utf8JsonReader reader, out SmsEncoding value)
    {
        value = default;
        if (!Next(ref reader, JsonTokenType.String)) return false;
        if (reader.ValueTextEquals("Ucs2"u8)) value = SmsEncoding.Ucs2;
        else if (!reader.ValueTextEquals("Gsm7"u8)) return false;
        return true;
    }

    private static bool TryStatus(ref Utf8JsonReader reader, out MessageStatus value)
    {
        value = default;
        if (!Next(ref reader, JsonTokenType.String)) return false;
        foreach (var s in Statuses)
        {
            if (reader.ValueTextEquals(s.Name))
            {
                value = s.Status;
                return true;
            }
        }

        return false;
    }

    // Written names of the statuses (the enum member names, as the generated writer emits them), most frequent first, as UTF-8
    // so the comparison with the token needs no transcoding per event.
    private static readonly (MessageStatus Status, byte[] Name)[] Statuses =
        [.. new[] { MessageStatus.Sent, MessageStatus.Queued }.Concat(Enum.GetValues<MessageStatus>()).Distinct().Select(s => (s, System.Text.Encoding.UTF8.GetBytes(s.ToString())))];
}
