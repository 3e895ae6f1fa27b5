using System.Globalization;
using System.Text;

namespace GpuDev.Api.InputHygiene;

/// <summary>
/// Text PostgreSQL can store in a UTF8 database: no NUL character (text and jsonb refuse it) and no
/// unpaired UTF-16 surrogate (it has no UTF-8 form). Checked on every string the API accepts before any
/// SQL runs, so such a value never reaches the server, its error message or its log.
/// </summary>
public static class StorableText
{
    /// <summary>What is wrong with <paramref name="value"/> (e.g. "a NUL character (\u0000)"), or null when it can be stored.</summary>
    public static string? Problem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return @"a NUL character (\u0000)";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $@"an unpaired UTF-16 surrogate (\u{(int)c:X4})";
            }
        }

        return null;
    }

    /// <summary><paramref name="value"/> with every unstorable character written as a <c>\uXXXX</c> escape, for messages.</summary>
    public static string Printable(string value)
    {
        var printable = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c == '\0' || char.IsSurrogate(c))
            {
                printable.Append(CultureInfo.InvariantCulture, $@"\u{(int)c:X4}");
            }
            else
            {
                printable.Append(c);
            }
        }

        return printable.ToString();
    }

    /// <summary>The same sentence for every place a value comes from; <paramref name="where"/> names it.</summary>
    public static string Detail(string where, string problem) =>
        $"{where} contains {problem}, which PostgreSQL cannot store. Remove it (and any other control or broken characters) and send the request again.";
}
