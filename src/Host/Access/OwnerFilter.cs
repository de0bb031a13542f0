namespace SmsGateway.Host.Access;

/// <summary>Endpoint filter for routes with a <c>{userId}</c> value: 403 unless the caller may act for that user.</summary>
public sealed class OwnerFilter : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.GetRouteValue("userId") is string userId &&
            await AccountAccess.ForbidUnlessOwnerAsync(context.HttpContext, userId) is { } forbidden)
        {
            return forbidden;
        }

        return await next(context);
    }
}
