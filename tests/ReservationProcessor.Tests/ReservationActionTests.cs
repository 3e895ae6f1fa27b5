using GpuDev.Database;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>cancel, extend, Jupyter and add_user messages as the API writes them (no version).</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class ReservationActionTests(PostgresServerFixture fixture) : ProcessorTest(fixture)
{
    [Fact]
    public async Task Cancel_by_id_prefix_cancels_the_users_reservation_and_frees_its_disk()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(diskName: "data");
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.Cancel, request.ReservationId[..6]);

        var cancelled = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Cancelled);
        Assert.Equal("Reservation cancelled by user", cancelled.CurrentDetailedStatus);
        Assert.Equal(0, await Database.CountAsync("SELECT count(*) FROM disks WHERE in_use"));
    }

    [Fact]
    public async Task Cancel_ignores_another_users_reservation_and_an_ambiguous_prefix()
    {
        await StartProcessorAsync();
        var mine = await Database.SubmitAsync(id: "abc00001-" + Guid.NewGuid().ToString()[9..]);
        var alsoMine = await Database.SubmitAsync(id: "abc00002-" + Guid.NewGuid().ToString()[9..]);
        await Database.WaitForStatusAsync(mine.ReservationId, ReservationStatuses.Active);
        await Database.WaitForStatusAsync(alsoMine.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.Cancel, mine.ReservationId, user: "mallory");
        await Database.SendActionAsync(ReservationActions.Cancel, "abc0000");
        await Database.WaitForCountAsync("SELECT 1 - count(*) FROM pgmq.q_gpu_reservations", 1);

        Assert.Equal(ReservationStatuses.Active, (await Database.ReservationAsync(mine.ReservationId)).Status);
        Assert.Equal(ReservationStatuses.Active, (await Database.ReservationAsync(alsoMine.ReservationId)).Status);
    }

    [Fact]
    public async Task Cancelling_a_queued_reservation_cancels_it_before_it_starts()
    {
        await StartProcessorAsync();
        var running = await Database.SubmitAsync("t4-small", 1);
        await Database.WaitForStatusAsync(running.ReservationId, ReservationStatuses.Active);
        var waiting = await Database.SubmitAsync("t4-small", 1);
        await Database.WaitForStatusAsync(waiting.ReservationId, ReservationStatuses.Queued);

        await Database.SendActionAsync(ReservationActions.Cancel, waiting.ReservationId);

        var cancelled = await Database.WaitForStatusAsync(waiting.ReservationId, ReservationStatuses.Cancelled);
        Assert.Null(cancelled.SshCommand);
    }

    [Fact]
    public async Task Extend_from_the_api_without_a_version_moves_the_expiry_and_duration()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(hours: 2);
        var active = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.Extend, request.ReservationId, extensionHours: 2);

        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE reservation_id = @id AND duration_hours = 4", 1, new { id = request.ReservationId });
        var extended = await Database.ReservationAsync(request.ReservationId);
        Assert.Equal(active.ExpiresAt!.Value.AddHours(2), extended.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReservationStatuses.Active, extended.Status);
        Assert.Contains(extended.HistoryMessages, m => m.StartsWith("Extended by 2 hours (new expiry: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Extend_past_48_hours_after_launch_is_refused_with_a_warning()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync(hours: 40);
        var active = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.Extend, request.ReservationId, extensionHours: 10);

        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE reservation_id = @id AND warning IS NOT NULL", 1, new { id = request.ReservationId });
        var refused = await Database.ReservationAsync(request.ReservationId);
        Assert.StartsWith("Extension failed: Cannot extend reservation beyond 48 hours total. Current total would be 50.0 hours", refused.Warning, StringComparison.Ordinal);
        Assert.Equal(active.ExpiresAt, refused.ExpiresAt);
        Assert.Equal(40, refused.DurationHours);
    }

    [Fact]
    public async Task Jupyter_enable_sets_a_local_url_with_token_and_disable_clears_it()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync();
        var active = await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.EnableJupyter, request.ReservationId);
        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE reservation_id = @id AND jupyter_enabled", 1, new { id = request.ReservationId });

        var enabled = await Database.ReservationAsync(request.ReservationId);
        Assert.NotEqual(active.NodePort, enabled.JupyterPort);
        Assert.Equal($"http://127.0.0.1:{enabled.JupyterPort}?token={enabled.JupyterToken}", enabled.JupyterUrl);
        Assert.Equal(48, enabled.JupyterToken!.Length);

        await Database.SendActionAsync(ReservationActions.DisableJupyter, request.ReservationId);
        await Database.WaitForCountAsync("SELECT count(*) FROM reservations WHERE reservation_id = @id AND NOT jupyter_enabled", 1, new { id = request.ReservationId });
        var disabled = await Database.ReservationAsync(request.ReservationId);
        Assert.Null(disabled.JupyterUrl);
        Assert.Null(disabled.JupyterPort);
        Assert.Null(disabled.JupyterToken);
    }

    [Fact]
    public async Task Add_user_records_the_github_user_once()
    {
        await StartProcessorAsync();
        var request = await Database.SubmitAsync();
        await Database.WaitForStatusAsync(request.ReservationId, ReservationStatuses.Active);

        await Database.SendActionAsync(ReservationActions.AddUser, request.ReservationId, githubUsername: "octocat");
        await Database.SendActionAsync(ReservationActions.AddUser, request.ReservationId, githubUsername: "octocat");
        await Database.WaitForCountAsync("SELECT 1 - count(*) FROM pgmq.q_gpu_reservations", 1);

        Assert.Equal("[\"octocat\"]", (await Database.ReservationAsync(request.ReservationId)).SecondaryUsers);
    }
}
