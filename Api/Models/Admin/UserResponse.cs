namespace GpuDev.Api.Models.Admin;

public sealed record UserResponse
{
    public int UserId { get; init; }
    public required string Username { get; init; }
    public string? Email { get; init; }
    public DateTime? CreatedAt { get; init; }
    public bool? IsActive { get; init; }
}
