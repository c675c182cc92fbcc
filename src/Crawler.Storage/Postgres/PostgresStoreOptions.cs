using System.ComponentModel.DataAnnotations;

namespace Crawler.Storage.Postgres;

public sealed class PostgresStoreOptions
{
    public const string SectionName = "Storage:Postgres";

    /// <summary>
    /// Npgsql connection string. Keep the password out of files: set it with the environment variable
    /// <c>Storage__Postgres__ConnectionString</c>, or leave it out here and let Npgsql read <c>PGPASSWORD</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Storage:Postgres:ConnectionString is required when Storage:Provider is Postgres.")]
    public string? ConnectionString { get; set; }

    /// <summary>How often a write that lost a race with another worker (same URL, same content) is tried again.</summary>
    [Range(1, 20)]
    public int ConflictRetries { get; set; } = 5;
}
