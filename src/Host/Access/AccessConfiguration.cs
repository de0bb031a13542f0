using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace SmsGateway.Host.Access;

/// <summary>Reads and validates section <c>Auth</c>; the first invalid value stops the start with a message naming its key.</summary>
internal static class AccessConfiguration
{
    /// <summary>Minimum admin key length, characters.</summary>
    public const int MinAdminKeyLength = 16;

    /// <exception cref="OptionsValidationException">A setting is invalid.</exception>
    public static AuthOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.Section);
        AuthOptions auth;
        try
        {
            auth = section.Get<AuthOptions>() ?? new AuthOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid($"Auth: {ex.Message}");
        }

        var keys = (auth.AdminKeys ?? []).Where(k => !string.IsNullOrEmpty(k)).ToArray();
        if (keys.Any(k => k.Length < MinAdminKeyLength))
        {
            throw Invalid($"Auth:AdminKeys: every admin key must be at least {MinAdminKeyLength} characters (use a random secret)");
        }

        // An empty value (an environment variable set to "") counts as unset.
        var jwtSettings = section.GetSection("Jwt").Exists() && auth.Jwt is { } j
            ? j with { SigningKey = NullIfEmpty(j.SigningKey), JwksFile = NullIfEmpty(j.JwksFile) }
            : null;
        auth = auth with { AdminKeys = keys, Jwt = jwtSettings };
        Validate(auth, "Auth");
        Validate(auth.Limits, "Auth:Limits");
        Validate(auth.Abuse, "Auth:Abuse");
        if (auth.Jwt is { } jwt)
        {
            Validate(jwt, "Auth:Jwt");
            if ((jwt.SigningKey is null) == (jwt.JwksFile is null))
            {
                throw Invalid("Auth:Jwt: set exactly one of Auth:Jwt:SigningKey and Auth:Jwt:JwksFile");
            }

            if (jwt.SigningKey is not null && Encoding.UTF8.GetByteCount(jwt.SigningKey) < 32)
            {
                throw Invalid("Auth:Jwt:SigningKey must be at least 32 bytes (HMAC-SHA256, RFC 7518 section 3.2)");
            }

            if (jwt.JwksFile is not null && !File.Exists(jwt.JwksFile))
            {
                throw Invalid($"Auth:Jwt:JwksFile: no file at '{jwt.JwksFile}'");
            }
        }

        return auth;
    }

    private static void Validate(object options, string section)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw Invalid(string.Join("; ", results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")));
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static OptionsValidationException Invalid(string message) => new(AuthOptions.Section, typeof(AuthOptions), [message]);
}
