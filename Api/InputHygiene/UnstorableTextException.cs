using System.Text.Json;

namespace GpuDev.Api.InputHygiene;

/// <summary>
/// A JSON string (a value or an object key) PostgreSQL cannot store. A <see cref="JsonException"/>, so the
/// serializer adds the path of the offending field before the exception handler turns it into a 400.
/// </summary>
public sealed class UnstorableTextException(string problem) : JsonException(problem)
{
    public string Problem { get; } = problem;

    /// <summary>The sentence for the caller: the field's path (unstorable characters escaped) and the fix.</summary>
    public string Detail => StorableText.Detail(Path is { Length: > 1 } path ? $"The value at {StorableText.Printable(path)}" : "The request body", Problem);
}
