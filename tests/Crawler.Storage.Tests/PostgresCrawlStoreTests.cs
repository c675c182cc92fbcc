using Crawler.FixtureSite;
using Crawler.Storage.Frontier;
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

    protected override async Task<(string Encoding, byte[] Bytes)> StoredRawBodyAsync(long snapshotId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT body_encoding, body FROM raw_captures WHERE snapshot_id = @id;", connection);
        cmd.Parameters.AddWithValue("id", snapshotId);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetFieldValue<byte[]>(1));
    }

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

    [SkippableFact]
    public async Task Host_spacing_holds_across_workers_claiming_at_once()
    {
        var t0 = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        var interval = TimeSpan.FromSeconds(10);
        var run = await Store.StartOrResumeRunAsync("s", t0);
        var urls = Enumerable.Range(0, 30).Select(i => new FrontierRequest($"http://h{i % 3}.example/{i}", PageKind.Article, 1)).ToList();
        await Store.EnqueueAsync(run.Id, "s", urls, 100, TimeSpan.FromDays(1), t0);

        var workers = Enumerable.Range(0, 5).Select(_ => AnotherWorker()).ToList();
        var first = (await Task.WhenAll(workers.Select((w, n) => Task.Run(() => w.ClaimAsync(run.Id, 10, $"w{n}", TimeSpan.FromMinutes(5), t0, null, interval)))))
            .SelectMany(l => l).ToList();
        // one page per host among all five workers, however many each asked for
        Assert.Equal(3, first.Count);
        Assert.Equal(3, first.Select(l => new Uri(l.Url).Host).Distinct().Count());

        Assert.Empty(await workers[0].ClaimAsync(run.Id, 10, "w0", TimeSpan.FromMinutes(5), t0.AddSeconds(9), null, interval));
        Assert.Equal(3, (await workers[1].ClaimAsync(run.Id, 10, "w1", TimeSpan.FromMinutes(5), t0.AddSeconds(10), null, interval)).Count);
    }
}
