namespace GpuDev.Hosting.PostgreSQL;

/// <summary>A problem with the local PostgreSQL server whose message says what to do about it.</summary>
public sealed class LocalPostgresException : Exception
{
    public LocalPostgresException()
    {
    }

    public LocalPostgresException(string message) : base(message)
    {
    }

    public LocalPostgresException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
