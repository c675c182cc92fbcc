using Crawler.Storage.Sqlite;

namespace Crawler.Storage.Tests;

/// <summary>The store contract against a real SQLite file in a fresh folder per test.</summary>
public sealed class SqliteCrawlStoreTests : CrawlStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-store-").FullName;

    protected override Task<ICrawlStore> CreateStoreAsync() => Task.FromResult(OpenSameStore());

    protected override ICrawlStore OpenSameStore() => new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_folder, "nested", "crawler.db") });

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
}
