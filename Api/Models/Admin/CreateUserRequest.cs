using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Admin;

public sealed record CreateUserRequest
{
    [Required(ErrorMessage = "username is required.")]
    [RegularExpression(Usernames.Pattern, ErrorMessage = Usernames.PatternMessage)]
    public string? Username { get; init; }

    [StringLength(255, ErrorMessage = "email must be at most 255 characters.")]
    [EmailAddress(ErrorMessage = "email must be an e-mail address such as jdoe@example.com.")]
    public string? Email { get; init; }
}
