using Crawler.Storage.Postgres;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crawler.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the configured <see cref="ICrawlStore"/> (SQLite by default), validated at start.</summary>
    public static IServiceCollection AddCrawlerStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateAnnotationsWith<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName).ValidateOnStart();
        services.AddOptions<SqliteStoreOptions>().Bind(configuration.GetSection(SqliteStoreOptions.SectionName)).ValidateAnnotationsWith<SqliteStoreOptions, SqliteStoreOptionsValidator>(SqliteStoreOptions.SectionName).ValidateOnStart();
        var postgres = services.AddOptions<PostgresStoreOptions>().Bind(configuration.GetSection(PostgresStoreOptions.SectionName));
        if (configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider == StorageProvider.Postgres)
        {
            // only the chosen backend's settings are required
            postgres.ValidateAnnotationsWith<PostgresStoreOptions, PostgresStoreOptionsValidator>(PostgresStoreOptions.SectionName).ValidateOnStart();
        }

        services.AddSingleton<ICrawlStore>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProvider.Sqlite => new SqliteCrawlStore(
                sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value,
                sp.GetRequiredService<ILogger<SqliteCrawlStore>>()),
            StorageProvider.Postgres => new PostgresCrawlStore(
                sp.GetRequiredService<IOptions<PostgresStoreOptions>>().Value,
                sp.GetRequiredService<ILogger<PostgresCrawlStore>>()),
            var other => throw new OptionsValidationException(nameof(StorageOptions.Provider), typeof(StorageOptions), [$"Storage:Provider '{other}' is not supported."]),
        });
        return services;
    }
}
