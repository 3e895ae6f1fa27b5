using Npgsql;

namespace GpuDev.Api.Infrastructure;

/// <summary>Reads a nullable column as null, as the records' nullable properties expect.</summary>
public static class NpgsqlDataReaderExtensions
{
    public static T? GetNullable<T>(this NpgsqlDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
