using System.Reflection;
using GpuDev.Api.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GpuDev.Api.Apis;

public static class RootApi
{
    private static readonly string Version =
        typeof(RootApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static IEndpointRouteBuilder MapRootApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetServiceInfo).WithTags("Service").WithName("GetServiceInfo").WithSummary("Name, version and where to start.");
        return app;
    }

    public static Ok<ServiceInfo> GetServiceInfo() => TypedResults.Ok(new ServiceInfo(
        "GPU Dev API",
        Version,
        "/scalar",
        "/health",
        new Dictionary<string, string>
        {
            ["aws_login"] = "/v1/auth/aws-login",
            ["description"] = "Exchange AWS credentials (locally: any well-formed ones, with LOCAL_DEV_USER set) for an API key",
        },
        new Dictionary<string, string>
        {
            ["jobs"] = "/v1/jobs",
            ["disks"] = "/v1/disks",
            ["disk_operations"] = "/v1/disks/{disk_name}/operations/{operation_id}",
            ["disk_content"] = "/v1/disks/{disk_name}/content",
            ["disk_rename"] = "/v1/disks/{disk_name}/rename",
            ["gpu_types"] = "/v1/gpu-types",
            ["gpu_availability"] = "/v1/gpu/availability",
            ["cluster_status"] = "/v1/cluster/status",
            ["openapi"] = "/openapi/v1.json",
        }));
}
