using GpuDev.Database;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Tests;

[Collection(PostgresServerGroup.Name)]
public sealed class ReservationLifecycleTests(PostgresServerFixture fixture) : ProcessorTest(fixture)
{
    [Fact]
    public async Task A_cpu_reservation_from_the_api_becomes_active_with_the_ssh_command_the_cli_waits_for()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync("cpu-x86", 0, hours: 2);

        var active = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        // The CLI's reserve loop ends on an ssh_command that starts with "ssh " and is neither the placeholder nor a cluster DNS name.
        Assert.StartsWith("ssh -p ", active.SshCommand);
        Assert.EndsWith("dev@127.0.0.1", active.SshCommand);
        Assert.Equal($"ssh -p {active.NodePort} dev@127.0.0.1", active.SshCommand);
        Assert.InRange(active.NodePort!.Value, 30000, 32767);
        Assert.Equal("127.0.0.1", active.NodeIp);
        Assert.Equal("gpu-dev", active.Namespace);
        Assert.Equal($"gpu-dev-{request.ReservationId[..8]}", active.PodName);
        Assert.NotNull(active.LaunchedAt);
        Assert.Equal(active.LaunchedAt!.Value.AddHours(2), active.ExpiresAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(CreateReservationMessage.CurrentCliVersion, active.CliVersion);
        Assert.Contains("simulated", active.CurrentDetailedStatus, StringComparison.Ordinal);
        Assert.Equal(
            ["Checking GPU availability", "preparing resources", "Fetching SSH keys", "is ready"],
            active.HistoryMessages.Select(m => m.Contains("preparing resources", StringComparison.Ordinal) ? "preparing resources"
                : m.StartsWith("Fetching SSH keys", StringComparison.Ordinal) ? "Fetching SSH keys"
                : m.Contains("is ready", StringComparison.Ordinal) ? "is ready" : m));
        Assert.Equal(0, await QueueLengthAsync(QueueNames.GpuReservations));
        Assert.Equal(0, await ArchiveLengthAsync(QueueNames.GpuReservations));
    }

    [Fact]
    public async Task A_create_with_no_row_inserts_it_as_pending_named_from_the_message_then_activates()
    {
        await StartProcessorAsync();
        var id = Guid.NewGuid().ToString();
        // Another producer: no row, and timestamps the way Python's isoformat() writes them (no offset).
        var json = System.Text.Json.JsonSerializer.Serialize(ProcessorDatabase.NewCreate(id, "bob", "cpu-arm", 0, 1))
            .Replace("+00:00\"", "\"", StringComparison.Ordinal);
        await Database.SendAsync(QueueNames.GpuReservations, json);

        var active = await Database.WaitForStatusAsync(id, ReservationStatuses.Active);

        Assert.Equal($"gpu-dev-{id[..8]}", active.Name);
        Assert.Equal("bob", active.UserId);
        Assert.Equal("cpu-arm", active.GpuType);
    }

    [Fact]
    public async Task Delays_hold_a_reservation_pending_then_preparing_before_it_is_active()
    {
        await StartProcessorAsync(new Dictionary<string, string?> { ["SimulatedCluster:PendingSeconds"] = "1", ["SimulatedCluster:PreparingSeconds"] = "1" });
        var request = await Database.SubmitAsync();

        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Pending);
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Preparing);
        var active = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        var submitted = request.CreatedAt.UtcDateTime;
        Assert.True(active.LaunchedAt!.Value - submitted >= TimeSpan.FromSeconds(1.9), $"active {active.LaunchedAt:O} after submit {submitted:O}");
    }

    [Theory]
    [InlineData("0.3.4", "outdated; the minimum is 0.3.5")]
    [InlineData("", "sent no version")]
    public async Task A_create_from_an_old_cli_fails_with_an_upgrade_reason(string version, string expected)
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(version: version);

        var failed = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Failed);

        Assert.Contains(expected, failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("pip install --upgrade", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal("CLI version validation failed", failed.CurrentDetailedStatus);
    }

    [Theory]
    [InlineData("v100", 1, 1, "Unsupported GPU type: v100. Supported types: a100, a10g")]
    [InlineData("cpu-x86", 1, 1, "CPU instances (gpu_type: cpu-x86) must have gpu_count=0, got 1")]
    [InlineData("t4", 3, 1, "Invalid GPU count: 3. Must be one of: 1, 2, 4, 8, 16")]
    [InlineData("t4", 8, 1, "8 T4 GPUs do not fit on one node (a node has 4)")]
    [InlineData("cpu-x86", 0, 169, "Duration exceeds maximum: 169 > 168 hours")]
    public async Task An_invalid_create_fails_with_the_reason(string gpuType, int gpuCount, int hours, string expected)
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(gpuType, gpuCount, hours);

        var failed = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Failed);

        Assert.Contains(expected, failed.FailureReason, StringComparison.Ordinal);
        Assert.StartsWith("Validation error: ", failed.CurrentDetailedStatus, StringComparison.Ordinal);
        Assert.Equal(0, await QueueLengthAsync(QueueNames.GpuReservations));
    }

    [Fact]
    public async Task An_active_reservation_expires_when_expires_at_passes_and_frees_its_disk()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(diskName: "work");
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);
        Assert.Equal(1, await Database.CountAsync("SELECT count(*) FROM disks WHERE disk_name = 'work' AND in_use AND reservation_id = @id", new { id = request.ReservationId }));

        await Database.ExecuteAsync("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE reservation_id = @id", new { id = request.ReservationId });

        var expired = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Expired);
        Assert.Equal("Reservation expired", expired.CurrentDetailedStatus);
        Assert.Equal(1, await Database.CountAsync("SELECT count(*) FROM disks WHERE disk_name = 'work' AND NOT in_use AND reservation_id IS NULL"));
    }
}
