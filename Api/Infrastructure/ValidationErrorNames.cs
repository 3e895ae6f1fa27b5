using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// Minimal-API validation keys its errors by C# property name (DurationHours); clients know the JSON
/// name (duration_hours), so the keys are rewritten with the same naming policy the JSON uses.
/// </summary>
public static class ValidationErrorNames
{
    public static void UseWireNames(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is not HttpValidationProblemDetails validation || validation.Errors.Count == 0)
        {
            return;
        }

        var renamed = validation.Errors.ToDictionary(e => WireName(e.Key), e => e.Value);
        validation.Errors.Clear();
        foreach (var (key, messages) in renamed)
        {
            validation.Errors[key] = messages;
        }

        validation.Detail ??= string.Join(" ", renamed.SelectMany(e => e.Value));
    }

    private static string WireName(string key) =>
        string.Join('.', key.Split('.').Select(part => JsonNamingPolicy.SnakeCaseLower.ConvertName(part)));
}
