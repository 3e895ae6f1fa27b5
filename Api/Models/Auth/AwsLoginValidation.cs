namespace GpuDev.Api.Models.Auth;

/// <summary>One entry of a FastAPI validation error (<c>{"detail": [...]}</c>), the shape production answers 422 with.</summary>
public sealed record ValidationIssue(string Type, IReadOnlyList<string> Loc, string Msg, IReadOnlyDictionary<string, int>? Ctx);

public sealed record ValidationIssues(IReadOnlyList<ValidationIssue> Detail);

/// <summary>
/// Production's bounds on the aws-login body: key id 16–128 characters, secret 40–128, optional session token
/// 100–2048. The submitted values are never echoed back (they are credentials).
/// </summary>
public static class AwsLoginValidation
{
    public static IReadOnlyList<ValidationIssue> Check(AwsLoginRequest? request)
    {
        var issues = new List<ValidationIssue>();
        Length(issues, "aws_access_key_id", request?.AwsAccessKeyId, 16, 128, required: true);
        Length(issues, "aws_secret_access_key", request?.AwsSecretAccessKey, 40, 128, required: true);
        Length(issues, "aws_session_token", request?.AwsSessionToken, 100, 2048, required: false);
        return issues;
    }

    private static void Length(List<ValidationIssue> issues, string field, string? value, int min, int max, bool required)
    {
        string[] loc = ["body", field];
        if (value is null)
        {
            if (required)
            {
                issues.Add(new("missing", loc, "Field required", null));
            }
        }
        else if (value.Length < min)
        {
            issues.Add(new("string_too_short", loc, $"String should have at least {min} characters", new Dictionary<string, int> { ["min_length"] = min }));
        }
        else if (value.Length > max)
        {
            issues.Add(new("string_too_long", loc, $"String should have at most {max} characters", new Dictionary<string, int> { ["max_length"] = max }));
        }
    }
}
