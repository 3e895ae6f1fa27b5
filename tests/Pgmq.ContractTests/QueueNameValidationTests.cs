using Npgsql;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// Queue names become table names. PGMQ refuses only names that contain <c>$</c>, <c>;</c>, <c>--</c> or a
/// single quote (everywhere) and names over 47 characters (when creating), all with SQLSTATE P0001; any
/// other name works, because table names are always quoted.
/// </summary>
public sealed class QueueNameValidationTests(ContractServerFixture fixture) : PgmqContractTest(fixture)
{
    public static TheoryData<string> UnsafeNames => new()
    {
        "x; drop table victim",
        "x'; drop table victim; --",
        "a--b",
        "a$b",
    };

    public static TheoryData<string> UnusualButAcceptedNames => new()
    {
        "my-queue",
        "a.b",
        "with space",
        "ünïcödé_名前",
        "Orders",
        "1st",
        new string('q', 47),
    };

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Create_rejects_an_unsafe_queue_name_with_sqlstate_P0001_and_runs_none_of_it(string name)
    {
        await Pgmq.ExecuteAsync("CREATE TABLE public.victim (id int)");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.CreateAsync(name));

        Assert.Equal(PostgresErrorCodes.RaiseException, error.SqlState);
        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'victim'"));
        Assert.Empty(await Pgmq.ListQueuesAsync());
    }

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Send_and_read_reject_an_unsafe_queue_name_with_sqlstate_P0001(string name)
    {
        await Pgmq.ExecuteAsync("CREATE TABLE public.victim (id int)");

        var send = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.SendAsync(name, """{"n": 1}"""));
        var read = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.ReadAsync(name, vt: 30, qty: 1));

        Assert.Equal(PostgresErrorCodes.RaiseException, send.SqlState);
        Assert.Equal(PostgresErrorCodes.RaiseException, read.SqlState);
        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'victim'"));
    }

    [Theory]
    [MemberData(nameof(UnusualButAcceptedNames))]
    public async Task A_name_with_hyphens_dots_spaces_capitals_or_non_ascii_letters_works_as_a_queue(string name)
    {
        await Pgmq.CreateAsync(name);
        var id = await Pgmq.SendAsync(name, """{"n": 1}""");

        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync(name, vt: 30, qty: 1)).MsgId);
        Assert.Equal([name], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName));
        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'pgmq' AND tablename = @table", ("table", "q_" + name.ToLowerInvariant())));
    }

    [Fact]
    public async Task Create_rejects_a_name_of_48_characters_with_sqlstate_P0001_but_send_only_finds_no_table()
    {
        var name = new string('q', 48);

        var create = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.CreateAsync(name));
        var send = await Assert.ThrowsAsync<PostgresException>(() => Pgmq.SendAsync(name, """{"n": 1}"""));

        Assert.Equal(PostgresErrorCodes.RaiseException, create.SqlState);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, send.SqlState);
        Assert.Empty(await Pgmq.ListQueuesAsync());
    }

    [Fact]
    public async Task Names_differing_only_in_case_address_the_same_queue_tables()
    {
        await Pgmq.CreateAsync("Jobs");
        var id = await Pgmq.SendAsync("JOBS", """{"n": 1}""");

        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync("jobs", vt: 30, qty: 1)).MsgId);
        Assert.Equal(["Jobs"], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName));
    }

    [Fact]
    public async Task Long_non_ascii_names_are_truncated_to_63_byte_table_names_so_two_of_them_can_share_one_queue_table()
    {
        // 30 two-byte letters: "q_" + 60 bytes + "a" is 63 bytes, the rest of each name is cut off.
        var first = new string('é', 30) + "a1";
        var second = new string('é', 30) + "a2";
        await Pgmq.CreateAsync(first);
        await Pgmq.CreateAsync(second);

        var id = await Pgmq.SendAsync(first, """{"n": 1}""");

        Assert.Equal(id, Assert.Single(await Pgmq.ReadAsync(second, vt: 30, qty: 1)).MsgId);
        Assert.Equal([first, second], (await Pgmq.ListQueuesAsync()).Select(q => q.QueueName));
        Assert.Equal(1, await Pgmq.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'pgmq' AND tablename LIKE 'q\\_%'"));
    }
}
