using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Jobs;

public sealed record AddJobUserRequest
{
    [Required(ErrorMessage = "github_username is required: the GitHub user whose SSH keys to add.")]
    [RegularExpression("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", ErrorMessage = "github_username must be a GitHub username: 1 to 39 letters, digits or '-', not starting with '-'.")]
    public string? GithubUsername { get; init; }
}
