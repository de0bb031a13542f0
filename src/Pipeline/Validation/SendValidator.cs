using SmsGateway.Accept;
using SmsGateway.Segmentation;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Validation;

/// <summary>
/// Turns a <see cref="SendRequest"/> into a priced <see cref="SmsMessage"/> or a list of field errors: number
/// normalisation, routing, encoding and segment count, type, user, sender id format and size limits.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SendValidator
{
    /// <summary>Most SMS parts one request may need. Longer texts are refused (DESIGN.md "Encoding and segments").</summary>
    public const int MaxSegments = 10;

    /// <summary>Longest accepted user id, in characters.</summary>
    public const int MaxUserIdLength = 64;

    /// <summary>The user-id rule as problem details state it: <c>"1-64 characters of letters, digits, '-', '_' or '.'"</c>.</summary>
    public static readonly string UserIdRule = $"1-{MaxUserIdLength} characters of letters, digits, '-', '_' or '.'";

    // What a valid request gets: one shared empty instance, read-only, so no caller can add to it.
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = System.Collections.ObjectModel.ReadOnlyDictionary<string, string[]>.Empty;

    /// <summary>Validates and prices <paramref name="request"/>.</summary>
    /// <param name="request">The client's request.</param>
    /// <param name="table">The routing table in force.</param>
    /// <param name="now">Accept time stamped on the message.</param>
    /// <param name="message">The priced message with a new UUIDv7 id; null when invalid.</param>
    /// <returns>Field name → problems; empty when the request is valid (then a shared empty instance: nothing is allocated).</returns>
    public static IReadOnlyDictionary<string, string[]> Validate(SendRequest request, OperatorTable table, DateTimeOffset now, out SmsMessage? message) =>
        Validate(request, table, now, Defaults, out message, out _);

    /// <summary>
    /// Validates and prices <paramref name="request"/>, including <c>send_at</c> (RFC 3339 with an offset, at most
    /// <see cref="PipelineOptions.MaxScheduleAhead"/> ahead, at most <see cref="PipelineOptions.SendAtPastTolerance"/> behind) and
    /// <c>validity_period</c> (<see cref="PipelineOptions.MinValidityPeriod"/> … <see cref="PipelineOptions.MaxValidityPeriod"/>, counted
    /// from <c>send_at</c> when later than now, otherwise from <paramref name="now"/>).
    /// </summary>
    /// <param name="request">The client's request.</param>
    /// <param name="table">The routing table in force.</param>
    /// <param name="now">Accept time stamped on the message.</param>
    /// <param name="options">The schedule and validity bounds.</param>
    /// <param name="message">The priced message with a new UUIDv7 id; null when invalid.</param>
    /// <param name="sendAt">When to publish the message: a time after <paramref name="now"/>, or null to publish now.</param>
    /// <returns>Field name → problems; empty when the request is valid (then a shared empty instance: nothing is allocated).</returns>
    public static IReadOnlyDictionary<string, string[]> Validate(SendRequest request, OperatorTable table, DateTimeOffset now, PipelineOptions options,
        out SmsMessage? message, out DateTimeOffset? sendAt)
    {
        sendAt = null;
        Dictionary<string, string[]>? errors = null; // made at the first problem: a valid request allocates none
        message = null;

        MessageType type = MessageType.Normal;
        if (string.IsNullOrEmpty(request.Type))
        {
            Add(ref errors, "type", "type is required: \"express\" or \"normal\"");
        }
        else if (string.Equals(request.Type, "express", StringComparison.OrdinalIgnoreCase))
        {
            type = MessageType.Express;
        }
        else if (!string.Equals(request.Type, "normal", StringComparison.OrdinalIgnoreCase))
        {
            Add(ref errors, "type", $"unknown type '{Truncate(request.Type)}': use \"express\" or \"normal\"");
        }

        if (string.IsNullOrWhiteSpace(request.UserId))
        {
            Add(ref errors, "user_id", "user_id is required");
        }
        else if (!IsValidUserId(request.UserId))
        {
            Add(ref errors, "user_id", $"user_id must be {UserIdRule}");
        }

        SegmentInfo segments = default;
        if (string.IsNullOrEmpty(request.Text))
        {
            Add(ref errors, "text", "text is required and must not be empty");
        }
        else if (request.Text.Length > SegmentCalculator.Gsm7Part * MaxSegments * 4)
        {
            Add(ref errors, "text", $"text is too long: at most {MaxSegments} segments");
        }
        else
        {
            segments = SegmentCalculator.Analyze(request.Text);
            if (segments.Segments > MaxSegments)
            {
                Add(ref errors, "text", $"text needs {segments.Segments} segments; at most {MaxSegments} are allowed");
            }
        }

        if (request.From is not null && SenderId.Classify(request.From) is null)
        {
            Add(ref errors, "from", $"from must be {SenderId.Rule}");
        }

        OperatorInfo? op = null;
        if (!MsisdnNormalizer.TryNormalize(request.Phone, out var msisdn, out var phoneError))
        {
            Add(ref errors, "phone", phoneError!);
        }
        else
        {
            op = table.Route(msisdn);
            if (op is null)
            {
                Add(ref errors, "phone", $"no route: no operator serves the prefix of {msisdn}");
            }
        }

        DateTimeOffset? validUntil = null;
        if (request.SendAt is not null)
        {
            if (!Rfc3339.TryParse(request.SendAt, out var at))
            {
                Add(ref errors, "send_at", $"send_at must be {Rfc3339.Rule}");
            }
            else if (at > now + options.MaxScheduleAhead)
            {
                Add(ref errors, "send_at", $"send_at must be at most {options.MaxScheduleAhead.TotalDays:0.##} days ahead");
            }
            else if (at < now - options.SendAtPastTolerance)
            {
                Add(ref errors, "send_at", $"send_at is in the past (more than {options.SendAtPastTolerance.TotalSeconds:0} s before the gateway's clock)");
            }
            else if (at > now)
            {
                sendAt = at.ToUniversalTime();
            }
        }

        if (request.ValidityPeriod is { } seconds)
        {
            long min = (long)options.MinValidityPeriod.TotalSeconds, max = (long)options.MaxValidityPeriod.TotalSeconds;
            if (seconds < min || seconds > max)
            {
                Add(ref errors, "validity_period", $"validity_period must be an integer number of seconds from {min} to {max}");
            }
            else
            {
                validUntil = (sendAt ?? now) + TimeSpan.FromSeconds(seconds);
            }
        }

        if (errors is null)
        {
            long cost = checked(segments.Segments * op!.PricePerSegment);
            message = new SmsMessage(MessageIds.New(), request.UserId!, msisdn, request.Text!, type, op.Name, segments.Encoding,
                segments.Segments, cost, now, From: request.From, CallbackUrl: request.CallbackUrl, StoreText: request.StoreText, ValidUntil: validUntil);
        }

        return errors ?? NoErrors;
    }


    private static void Add(ref Dictionary<string, string[]>? errors, string field, string problem) =>
        (errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal))[field] = [problem];

    /// <summary>True for 1-64 characters of ASCII letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValidUserId(string userId)
    {
        if (userId.Length is 0 or > MaxUserIdLength)
        {
            return false;
        }

        foreach (char c in userId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    private static readonly PipelineOptions Defaults = new();

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
