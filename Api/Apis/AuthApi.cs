using GpuDev.Api.Authentication;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.Models.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Apis;

/// <summary>Sign-in: production's aws-login, which exchanges AWS credentials for an expiring API key.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/auth/aws-login", AwsLoginAsync).WithTags("Authentication").WithName("AwsLogin").AllowAnonymous()
            .WithSummary("Exchange AWS credentials for an API key. Locally (LOCAL_DEV_USER) the credentials are checked for shape only and the key is the local user's.");
        return app;
    }

    public static async Task<Results<Ok<AwsLoginResponse>, UnprocessableEntity<ValidationIssues>, ProblemHttpResult>> AwsLoginAsync(
        AwsLoginRequest? request, LocalDevSignIn localSignIn, NpgsqlDataSource dataSource, IOptions<ApiKeyOptions> keyOptions, CancellationToken cancellationToken)
    {
        var issues = AwsLoginValidation.Check(request);
        if (issues.Count > 0)
        {
            return TypedResults.UnprocessableEntity(new ValidationIssues(issues));
        }

        // This API has no AWS access: without the local user there is nothing that could verify the credentials.
        if (localSignIn.Username is not { } username)
        {
            return TypedResults.Problem(
                $"AWS sign-in is not available here: this API cannot verify AWS credentials. For local development set {LocalDevSignIn.ConfigurationKey} (dotnet run --project AppHost does), or get a key from POST /v1/admin/users/{{username}}/keys with the admin token.",
                statusCode: StatusCodes.Status401Unauthorized, title: "AWS sign-in unavailable");
        }

        var ttlHours = keyOptions.Value.DefaultTtlHours;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // As production: the user is created on first sign-in and (re)activated on every one.
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO api_users (username, is_active) VALUES (@username, true)
            ON CONFLICT (username) DO UPDATE SET is_active = true
            RETURNING user_id
            """,
            connection, transaction);
        var userId = await command.With("username", username).QueryScalarAsync<int>(cancellationToken);
        var issued = await ApiKeyStore.IssueAsync(connection, transaction, userId, ttlHours, $"AWS login from {localSignIn.Arn}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new AwsLoginResponse(issued.ApiKey, issued.KeyPrefix, userId, username, localSignIn.Arn, issued.ExpiresAt, ttlHours));
    }
}
