using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SmsGateway.Host.Docs;

/// <summary>
/// Groups the operations by what a user does (the generator's default tag is the mapping class's name) and orders the groups:
/// Messages first, so the browsable reference opens on <c>/send</c>.
/// </summary>
internal sealed class TagsTransformer : IOpenApiDocumentTransformer
{
    private static readonly (string Name, string Description)[] Groups =
    [
        ("Messages", "Send SMS (/send, /verify) and read a message's status history and callbacks. Gateway port 7070."),
        ("Billing", "Charge a user and read the balance (available, reserved, spent; minor units). Billing port 8081."),
        ("Reports", "Per-status counts and messages of a user, newest first. Report port 6070."),
        ("Templates", "Verification (OTP) templates per account, used by /verify. Admin, billing port."),
        ("Block lists", "Per-account and global lists of refused recipients, and opt-outs (STOP / لغو). Admin, billing port."),
        ("Accounts", "API keys, limits and settings (sender ids, callbacks) of an account. Admin, billing port."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Tags = new HashSet<OpenApiTag>(Groups.Select(g => new OpenApiTag { Name = g.Name, Description = g.Description }));
        foreach (var (path, item) in document.Paths)
        {
            foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                operation.Tags = new HashSet<OpenApiTagReference> { new(GroupOf(path), document) };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The group of an operation by its path.</summary>
    internal static string GroupOf(string path) => path switch
    {
        "/send" or "/verify" => "Messages",
        _ when path.StartsWith("/messages", StringComparison.Ordinal) => "Messages",
        _ when path.StartsWith("/charge", StringComparison.Ordinal) || path.StartsWith("/balance", StringComparison.Ordinal) => "Billing",
        _ when path.StartsWith("/report", StringComparison.Ordinal) => "Reports",
        _ when path.Contains("/templates", StringComparison.Ordinal) => "Templates",
        _ when path.Contains("blocklist", StringComparison.Ordinal) => "Block lists",
        _ => "Accounts",
    };
}
