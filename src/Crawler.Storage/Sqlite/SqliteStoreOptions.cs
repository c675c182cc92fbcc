using System.ComponentModel.DataAnnotations;

namespace Crawler.Storage.Sqlite;

public sealed class SqliteStoreOptions
{
    public const string SectionName = "Storage:Sqlite";

    /// <summary>The database file. Relative paths are relative to the working directory; the folder is created.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/crawler.db";

    /// <summary>How long a writer waits for another writer's lock before the store reports itself unavailable.</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>WAL pages past which the WAL starts over; only tests set it, to reach it with a few writes.</summary>
    internal int WalRestartPages { get; init; } = SqliteCrawlStore.DefaultWalRestartPages;
}
