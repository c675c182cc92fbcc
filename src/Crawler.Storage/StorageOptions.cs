using System.ComponentModel.DataAnnotations;

namespace Crawler.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    [EnumDataType(typeof(StorageProvider))]
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>How long the service waits at start for a store that is not reachable yet (a database still starting).</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
