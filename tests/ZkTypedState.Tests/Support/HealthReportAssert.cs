using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ZkTypedState.Tests.Support;

public static class HealthReportAssert
{
    public static Task<HealthReport> CheckAsync(IHost host) => host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    public static void Degraded(HealthReport report) => Assert.Equal(HealthStatus.Degraded, report.Status);
}
