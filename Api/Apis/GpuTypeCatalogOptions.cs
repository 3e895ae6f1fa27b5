using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Apis;

/// <summary>The <c>GpuTypes</c> configuration section: how long job submission trusts its in-memory copy of the active types.</summary>
public sealed class GpuTypeCatalogOptions
{
    public const string SectionName = "GpuTypes";

    /// <summary>Seconds the active GPU types are kept in memory; 0 reads them on every submission.</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;
}

/// <summary>Checks the attributes of <see cref="GpuTypeCatalogOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class GpuTypeCatalogOptionsValidator : IValidateOptions<GpuTypeCatalogOptions>;
