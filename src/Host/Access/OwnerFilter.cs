namespace SmsGateway.Host.Access;

/// <summary>Endpoint filter for routes with a <c>{userId}</c> value: 403 unless the caller may act for that user.</summary>
public sealed class OwnerFilter : IEndpointFilter
{
    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.GetRouteValue("userId") is string userId &&
        AccountAccess.ForbidUnlessOwner(context.HttpContext, userId) is { } forbidden
            ? ValueTask.FromResult<object?>(forbidden)
            : next(context);
}
