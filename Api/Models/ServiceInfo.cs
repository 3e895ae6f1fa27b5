namespace GpuDev.Api.Models;

/// <summary><c>GET /</c>: what this service is and where to start.</summary>
public sealed record ServiceInfo(string Service, string Version, string Docs, string Health, IReadOnlyDictionary<string, string> Auth, IReadOnlyDictionary<string, string> Endpoints);
