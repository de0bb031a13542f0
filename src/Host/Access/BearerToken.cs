namespace SmsGateway.Host.Access;

/// <summary>What a request's <c>Authorization</c> header holds, as <see cref="BearerToken.Read"/> finds it.</summary>
internal enum BearerHeader
{
    /// <summary>No <c>Authorization</c> header.</summary>
    Absent,

    /// <summary>A header that is not one <c>Bearer &lt;token&gt;</c> credential of 1 to 4,096 characters.</summary>
    Malformed,

    /// <summary>A Bearer credential.</summary>
    Token,
}

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 section 2.1).</summary>
internal static class BearerToken
{
    /// <summary>
    /// What the header holds; with <see cref="BearerHeader.Token"/>, <paramref name="token"/> is the credential (trimmed), a
    /// slice of the header's string, so reading it allocates nothing. Pure; thread-safe.
    /// </summary>
    public static BearerHeader Read(HttpRequest request, out ReadOnlySpan<char> token)
    {
        token = default;
        var values = request.Headers.Authorization;
        if (values.Count == 0)
        {
            return BearerHeader.Absent;
        }

        var header = values.Count == 1 ? values[0] : null;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return BearerHeader.Malformed;
        }

        var value = header.AsSpan(7).Trim();
        if (value.Length is 0 or > 4096)
        {
            return BearerHeader.Malformed;
        }

        token = value;
        return BearerHeader.Token;
    }

    /// <summary>True when the token has the three dot-separated parts of a JWS compact serialization (RFC 7515 section 7.1).</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> token) => token.Count('.') == 2;
}
