using System.Globalization;

namespace GpuDev.Database.Json;

/// <summary>
/// Timestamps as production's Python services write them, so every reader of a message or response sees the
/// same text whichever implementation wrote it. Python keeps microseconds (a tick is 0.1 µs: the rest is dropped)
/// and leaves the fraction out entirely when it is zero.
/// </summary>
public static class PythonTimestamp
{
    /// <summary><c>datetime.isoformat()</c> of an aware UTC time: <c>2026-12-01T13:20:00.123456+00:00</c>.</summary>
    public static string IsoFormat(DateTimeOffset value) => Format(value, "+00:00");

    /// <summary>Pydantic's JSON for a UTC <c>datetime</c> field: <c>2026-12-01T13:20:00.123456Z</c>.</summary>
    public static string Pydantic(DateTimeOffset value) => Format(value, "Z");

    private static string Format(DateTimeOffset value, string utcSuffix)
    {
        var utc = value.ToUniversalTime();
        var microseconds = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return microseconds == 0
            ? text + utcSuffix
            : text + "." + microseconds.ToString("D6", CultureInfo.InvariantCulture) + utcSuffix;
    }
}
