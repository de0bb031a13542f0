using System.Text.Json;
using SmsGateway.Accept;

namespace SmsGateway.Host.Api;

/// <summary>
/// Reads the body of <c>POST /send/batch</c> (README "Bulk send"), one of:
/// <c>{"messages":[&lt;/send body&gt;, ...]}</c> (each item exactly a <c>/send</c> body), or
/// <c>{"phones":["...", ...],"text","type","user_id","from","callback_url"}</c> (one text to many phones; the other fields as in
/// <c>/send</c>, shared by every item). 1..<see cref="MaxItems"/> items.
/// </summary>
internal static class BatchBody
{
    /// <summary>Most items of one batch.</summary>
    public const int MaxItems = 1000;

    /// <summary>Largest body, bytes: 1,000 items of about 2 KB (a 10-segment UCS-2 text is about 1.3 KB of UTF-8).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    private static readonly string[] TopFields = ["messages", "phones", "text", "type", "user_id", "from", "callback_url"];

    /// <summary>The items, or the body's problem (field → messages) when the body as a whole is unusable.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="items">Per item: the request, or the item's own field errors (the item is then refused alone).</param>
    /// <returns>Errors about the body itself (empty when <paramref name="items"/> is usable).</returns>
    public static Dictionary<string, string[]> Read(JsonElement root, out List<(SendRequest? Request, Dictionary<string, string[]>? Errors)> items)
    {
        items = [];
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["the body must be a JSON object: {\"messages\":[...]} or {\"phones\":[...],\"text\":...}"];
            return errors;
        }

        if (!RequestBody.CheckFields(root, TopFields, errors))
        {
            return errors;
        }

        bool hasMessages = root.TryGetProperty("messages", out var messages);
        bool hasPhones = root.TryGetProperty("phones", out var phones);
        if (hasMessages == hasPhones)
        {
            errors[hasMessages ? "phones" : "messages"] = [hasMessages
                ? "give either messages or phones, not both"
                : "messages (a list of /send bodies) or phones (a list of numbers, with text and type) is required"];
            return errors;
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var list = hasMessages ? messages : phones;
        var field = hasMessages ? "messages" : "phones";
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors[field] = [$"{field} must be an array"];
            return errors;
        }

        int count = list.GetArrayLength();
        if (count is 0 or > MaxItems)
        {
            errors[field] = [$"{field} must hold 1 to {MaxItems} items; it holds {count}"];
            return errors;
        }

        if (hasMessages)
        {
            foreach (var name in TopFields.Where(f => f != "messages"))
            {
                if (root.TryGetProperty(name, out _))
                {
                    errors[name] = [$"{name} belongs inside each item of messages"];
                }
            }

            if (errors.Count > 0)
            {
                return errors;
            }

            foreach (var item in list.EnumerateArray())
            {
                items.Add(ReadItem(item));
            }

            return errors;
        }

        var shared = new SendRequest(null,
            RequestBody.GetText(root, "text", errors, allowLineBreaks: true),
            RequestBody.GetText(root, "type", errors),
            RequestBody.GetText(root, "user_id", errors, allowInteger: true),
            RequestBody.GetText(root, "from", errors),
            RequestBody.GetText(root, "callback_url", errors));
        if (errors.Count > 0)
        {
            return errors;
        }

        foreach (var phone in list.EnumerateArray())
        {
            var itemErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            string? number = phone.ValueKind == JsonValueKind.String
                ? ReadString(phone, itemErrors)
                : Fail(itemErrors, $"phone must be a string, not {phone.ValueKind.ToString().ToLowerInvariant()}");
            items.Add(itemErrors.Count > 0 ? (null, itemErrors) : (shared with { Phone = number }, null));
        }

        return errors;
    }

    private static (SendRequest?, Dictionary<string, string[]>?) ReadItem(JsonElement item)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["each item of messages must be a JSON object, a /send body"];
            return (null, errors);
        }

        var request = SendApi.ReadRequest(item, errors);
        return errors.Count > 0 ? (null, errors) : (request, null);
    }

    private static string? ReadString(JsonElement phone, Dictionary<string, string[]> errors)
    {
        try
        {
            var s = phone.GetString()!;
            return s.Any(char.IsControl) ? Fail(errors, "phone must not contain control characters") : s;
        }
        catch (InvalidOperationException)
        {
            return Fail(errors, "phone must be valid UTF-8 text without unpaired surrogates");
        }
    }

    private static string? Fail(Dictionary<string, string[]> errors, string message)
    {
        errors["phone"] = [message];
        return null;
    }
}
