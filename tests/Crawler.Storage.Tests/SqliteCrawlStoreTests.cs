using Crawler.Storage.Frontier;
using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Tests;

/// <summary>The store contract against a real SQLite file in a fresh folder per test.</summary>
public sealed class SqliteCrawlStoreTests : CrawlStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-store-").FullName;

    protected override Task<ICrawlStore> CreateStoreAsync() => Task.FromResult(OpenSameStore());

    protected override ICrawlStore OpenSameStore() => new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_folder, "nested", "crawler.db") });

    protected override async Task<(string Encoding, byte[] Bytes)> StoredRawBodyAsync(long snapshotId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "nested", "crawler.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT body_encoding, body FROM raw_captures WHERE snapshot_id = $id;";
        cmd.Parameters.AddWithValue("$id", snapshotId);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), (byte[])reader.GetValue(1));
    }

    protected override Task DropStoreAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void The_database_file_and_its_folder_are_created_in_wal_mode()
    {
        var path = Path.Combine(_folder, "nested", "crawler.db");
        Assert.True(File.Exists(path));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    [Fact]
    public async Task A_store_that_cannot_be_written_says_so_clearly()
    {
        // a path below a regular file can never be created, whoever runs the test (root included)
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(blocker, "crawler.db") });
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => store.MigrateAsync());
        Assert.Contains("not-a-folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_that_fails_inside_a_group_commit_leaves_the_writes_committed_with_it()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        // queued all at once, so the writer commits them in groups; every fourth names a run that does not exist
        var writes = Enumerable.Range(0, 200)
            .Select(i => (Bad: i % 4 == 0, Task: Store.EnqueueAsync(i % 4 == 0 ? run.Id + 1000 : run.Id, "s", [new($"http://a.example/{i}", PageKind.Article, 1)], 1000, TimeSpan.FromDays(1), T0)))
            .ToList();

        foreach (var (bad, task) in writes)
        {
            if (bad)
            {
                var ex = await Assert.ThrowsAsync<SqliteException>(() => task);
                Assert.Contains("FOREIGN KEY", ex.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(1, await task);
            }
        }

        Assert.Equal(150, (await Store.GetRunTallyAsync(run.Id)).Pending);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "nested", "crawler.db")}");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM frontier;";
        Assert.Equal(150L, count.ExecuteScalar());
    }

    [Fact]
    public async Task A_disposed_store_refuses_writes_clearly()
    {
        var store = OpenSameStore();
        ((IDisposable)store).Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.StartOrResumeRunAsync("s", T0));
    }

    [Fact]
    public async Task Json_columns_are_stored_as_text_that_sqlites_json_functions_read()
    {
        const string text = "北京时间 12 月 2 日 — the café's 🚢 report";
        var url = "http://a.example/json";
        await Store.SaveSnapshotAsync(Snap(url, text) with { ImageCaptions = ["港口 caption"], Keywords = ["港口"], Links = ["http://a.example/港口"] }, null, T0);

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "nested", "crawler.db")}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT typeof(blocks_json), typeof(captions_json), typeof(keywords_json), typeof(links_json),
                   json_extract(blocks_json, '$[0].Text'), json_extract(captions_json, '$[0]'), json_extract(keywords_json, '$[0]'), json_extract(links_json, '$[0]'),
                   keywords_json
            FROM snapshots WHERE canonical_url = $u;
            """;
        cmd.Parameters.AddWithValue("$u", url);
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(["text", "text", "text", "text"], Enumerable.Range(0, 4).Select(reader.GetString));
        Assert.Equal([text, "港口 caption", "港口", "http://a.example/港口"], Enumerable.Range(4, 4).Select(reader.GetString));
        // the bytes the serializer wrote, as the string binding stored them: non-ASCII text unescaped
        Assert.Equal("[\"港口\"]", reader.GetString(8));
    }

    [Fact]
    public async Task Committed_writes_reach_the_database_file_while_the_store_stays_open()
    {
        // Left to the writer, its checkpoints would wait for 64 MiB of WAL; the checkpointer copies much less than
        // that into the file within a second of the commits. About 2 MiB of frontier rows here (some 10 MiB of WAL).
        var path = Path.Combine(_folder, "nested", "crawler.db");
        var before = new FileInfo(path).Length;
        var run = await Store.StartOrResumeRunAsync("s", T0);
        var padding = new string('x', 2000);
        for (var batch = 0; batch < 10; batch++)
        {
            await Store.EnqueueAsync(run.Id, "s", Enumerable.Range(0, 100).Select(i => new FrontierRequest($"http://a.example/{batch}/{i}?{padding}", PageKind.Article, 1)).ToList(),
                100_000, TimeSpan.FromDays(1), T0);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (new FileInfo(path).Length < before + 1_500_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(new FileInfo(path).Length >= before + 1_500_000,
            $"the database file is {new FileInfo(path).Length} bytes, the WAL {new FileInfo(path + "-wal").Length}: nothing was checkpointed");
        Assert.Equal(1000, (await Store.GetRunTallyAsync(run.Id)).Pending);
    }

    [Fact]
    public async Task The_wal_starts_over_while_writes_keep_coming()
    {
        // Some 65 MiB of WAL written over a few seconds, with the restart at 1 MiB: without it, the WAL only grows until
        // the writer's own checkpoint at 64 MiB (65 MiB, when tried). The checkpointer's passes sync the database
        // file too: if that threw (but for the bundled library missing, when it is only switched off), the
        // checkpointer would not ask for the restart either.
        var path = Path.Combine(_folder, "restart", "crawler.db");
        using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path, WalRestartPages = 256 });
        await store.MigrateAsync();
        var run = await store.StartOrResumeRunAsync("s", T0);
        var padding = new string('x', 2000);
        long longest = 0;
        for (var batch = 0; batch < 100; batch++)
        {
            await store.EnqueueAsync(run.Id, "s", Enumerable.Range(0, 100).Select(i => new FrontierRequest($"http://a.example/{batch}/{i}?{padding}", PageKind.Article, 1)).ToList(),
                100_000, TimeSpan.FromDays(1), T0);
            longest = Math.Max(longest, new FileInfo(path + "-wal").Length);
            await Task.Delay(20);
        }

        Assert.True(longest < 16 << 20, $"the WAL grew to {longest >> 20} MiB");
        Assert.Equal(10_000, (await store.GetRunTallyAsync(run.Id)).Pending);
        store.Dispose();
        using var reopened = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
        Assert.Equal(10_000, (await reopened.GetRunTallyAsync(run.Id)).Pending);
    }

    [Fact]
    public async Task The_database_file_is_synced_through_sqlites_own_handle()
    {
        var path = Path.Combine(_folder, "sync", "crawler.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var connection = new SqliteConnection($"Data Source={path}");
        Assert.Throws<InvalidOperationException>(() => SqliteFileSync.SyncDatabaseFile(connection));
        await connection.OpenAsync();
        Assert.True(SqliteFileSync.Available);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "CREATE TABLE t (x); INSERT INTO t VALUES (1);";
            await command.ExecuteNonQueryAsync();
        }

        SqliteFileSync.SyncDatabaseFile(connection);
        // a method of the file other than its sync (say, its truncate, one slot before) would leave it another length
        await using var size = connection.CreateCommand();
        size.CommandText = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();";
        Assert.Equal((long)(await size.ExecuteScalarAsync())!, new FileInfo(path).Length);
        size.CommandText = "SELECT x FROM t;";
        Assert.Equal(1L, await size.ExecuteScalarAsync());

        // a database with no file: an error, not a call through a null method
        await using var memory = new SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync();
        Assert.Throws<SqliteException>(() => SqliteFileSync.SyncDatabaseFile(memory));
    }
}
