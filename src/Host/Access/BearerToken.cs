namespace SmsGateway.Host.Access;

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 section 2.1).</summary>
internal static class BearerToken
{
    /// <summary>
    /// True with the token when the header is a Bearer credential. False with a null token when there is no header, and
    /// with a non-null (empty) token when the header is malformed.
    /// </summary>
    public static bool TryRead(HttpRequest request, out string? token)
    {
        token = null;
        var values = request.Headers.Authorization;
        if (values.Count == 0)
        {
            return false;
        }

        token = string.Empty;
        var header = values.Count == 1 ? values[0] : null;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var value = header[7..].Trim();
        if (value.Length is 0 or > 4096)
        {
            return false;
        }

        token = value;
        return true;
    }

    /// <summary>True when the token has the three dot-separated parts of a JWS compact serialization (RFC 7515 section 7.1).</summary>
    public static bool LooksLikeJwt(string token) => token.AsSpan().Count('.') == 2;
}
