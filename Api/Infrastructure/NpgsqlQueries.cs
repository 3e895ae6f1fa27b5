using Npgsql;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// Runs a command and turns its rows into records with a mapping written next to the SQL that selects the columns.
/// Written by hand because the API is published as Native AOT and no row-mapping library is both AOT-safe and able to
/// pass a cancellation token: the common micro-ORM builds its mappers with IL at run time, and its AOT source generator
/// does not intercept the overloads that take a token. Npgsql's readers and typed parameters need neither reflection
/// nor run-time code.
/// </summary>
public static class NpgsqlQueries
{
    /// <summary>Adds a typed parameter (no boxing); a null reference is sent as SQL NULL of <typeparamref name="T"/>'s type.</summary>
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, string name, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        return command;
    }

    /// <summary>The only row, or null when there is none; more than one row is a bug in the query and throws.</summary>
    public static async Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var row = map(reader);
        return await reader.ReadAsync(cancellationToken)
            ? throw new InvalidOperationException("The query returned more than one row where one was expected.")
            : row;
    }

    /// <summary>The only row; none, or more than one, is a bug in the query and throws.</summary>
    public static async Task<T> QuerySingleAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("The query returned no row where one was expected.");
        }

        var row = map(reader);
        return await reader.ReadAsync(cancellationToken)
            ? throw new InvalidOperationException("The query returned more than one row where one was expected.")
            : row;
    }

    /// <summary>Every row, in the order the query returns them.</summary>
    public static async Task<List<T>> QueryListAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>The first column of the first row, which must not be NULL.</summary>
    public static async Task<T> QueryScalarAsync<T>(this NpgsqlCommand command, CancellationToken cancellationToken) =>
        await command.QuerySingleAsync(static reader => reader.GetFieldValue<T>(0), cancellationToken);
}
