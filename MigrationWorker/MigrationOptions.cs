namespace GpuDev.MigrationWorker;

/// <summary>The worker's <c>Migrations</c> configuration section.</summary>
public sealed class MigrationOptions
{
    public const string SectionName = "Migrations";

    /// <summary>The directory holding <c>schema/</c> and <c>fixtures/</c>; default: the copy beside the worker.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "database");
}
