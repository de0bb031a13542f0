using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SmsGateway.Host.Health;

/// <summary>Ready when the pipeline has started its roles.</summary>
internal sealed class PipelineHealthCheck(SmsPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(pipeline.Roles != PipelineRoles.None
            ? HealthCheckResult.Healthy($"roles: {pipeline.Roles}")
            : HealthCheckResult.Unhealthy("the pipeline is not started"));
}
