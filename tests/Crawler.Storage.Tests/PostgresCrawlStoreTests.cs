using Crawler.FixtureSite;
using Crawler.Storage.Postgres;

namespace Crawler.Storage.Tests;

/// <summary>
/// The store contract against a real PostgreSQL server, a fresh database per test. Skipped, with the reason, on a
/// machine without PostgreSQL unless CRAWLER_REQUIRE_POSTGRES is set (CI sets it).
/// </summary>
public sealed class PostgresCrawlStoreTests : CrawlStoreContract
{
    private string? _connectionString;
    private PostgresCrawlStore? _store;

    protected override Task<ICrawlStore> CreateStoreAsync()
    {
        var server = PostgresServer.Shared;
        Skip.If(server is null, PostgresServer.UnavailableBecause);
        _connectionString = server!.CreateDatabase("store");
        _store = new PostgresCrawlStore(new PostgresStoreOptions { ConnectionString = _connectionString });
        return Task.FromResult<ICrawlStore>(_store);
    }

    protected override ICrawlStore OpenSameStore() => new PostgresCrawlStore(new PostgresStoreOptions { ConnectionString = _connectionString });

    protected override async Task DropStoreAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_connectionString is not null)
        {
            PostgresServer.Shared!.DropDatabase(_connectionString);
        }
    }
}
