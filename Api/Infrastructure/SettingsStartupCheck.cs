using Microsoft.Extensions.Options;

namespace GpuDev.Api.Infrastructure;

public static class SettingsStartupCheck
{
    /// <summary>
    /// Runs every <c>ValidateOnStart</c> check before anything else, so a bad setting (an admin token that is
    /// too short, a limit out of range) stops the API with one critical line naming the setting and the fix,
    /// instead of an exception trace from the host.
    /// </summary>
    public static bool SettingsAreValid(this WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var reasons = ex is AggregateException aggregate ? aggregate.InnerExceptions.Select(e => e.Message) : [ex.Message];
            app.Logger.LogCritical("API cannot start: {Reason}", string.Join(" ", reasons));
            return false;
        }
    }
}
