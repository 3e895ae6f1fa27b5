using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// Queue names become table names. The names below are refused both by PGMQ and by the compatible SQL
/// (which is stricter still: only letters, digits and underscores).
/// </summary>
public sealed class QueueNameValidationTests(PostgresServerFixture fixture) : PgmqContractTest(fixture)
{
    public static TheoryData<string> UnsafeNames => new()
    {
        "x; drop table victim",
        "x'; drop table victim; --",
        "a--b",
        "a$b",
        new string('a', 48),
    };

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Create_rejects_an_unsafe_queue_name_and_runs_none_of_it(string name)
    {
        await Pgmq.ExecuteAsync("CREATE TABLE public.victim (id int)");

        await Assert.ThrowsAsync<PostgresException>(() => Pgmq.CreateAsync(name));

        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'victim'"));
        Assert.Empty(await Pgmq.ListQueuesAsync());
    }

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Send_and_read_reject_an_unsafe_queue_name(string name)
    {
        await Pgmq.ExecuteAsync("CREATE TABLE public.victim (id int)");

        await Assert.ThrowsAsync<PostgresException>(() => Pgmq.SendAsync(name, """{"n": 1}"""));
        await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ReadAsync(name, vt: 30, qty: 1));

        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'victim'"));
    }

    [Fact]
    public async Task A_name_of_47_characters_is_accepted()
    {
        var name = new string('q', 47);

        await Pgmq.CreateAsync(name);
        var id = await Pgmq.SendAsync(name, """{"n": 1}""");

        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync(name, vt: 30, qty: 1)).MsgId);
    }
}
