using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// The <c>Database</c> configuration section: how the API's Npgsql data source talks to PostgreSQL.
/// The defaults are what job submission needs under load (bench/api-load); the connection string
/// still carries where to connect.
/// </summary>
public sealed class DatabaseClientOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// Statements each connection prepares once it has run them a few times (Npgsql's Max Auto Prepare):
    /// every request runs the same few, and a prepared one is neither parsed nor planned again. 0 turns it off.
    /// </summary>
    [Range(0, 1000)]
    public int MaxAutoPrepare { get; set; } = 32;

    /// <summary>
    /// Npgsql multiplexing: requests' single statements share a few connections and go out in batches,
    /// so the server wakes once for many of them instead of once each. Transactions still get a
    /// connection of their own. On the 2-core benchmark machine it raised submissions by about a third.
    /// </summary>
    public bool Multiplexing { get; set; } = true;
}

/// <summary>Checks the attributes of <see cref="DatabaseClientOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class DatabaseClientOptionsValidator : IValidateOptions<DatabaseClientOptions>;
