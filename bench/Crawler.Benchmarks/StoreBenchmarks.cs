using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Crawler.Storage.Archive;
using Crawler.Storage.Frontier;
using Crawler.Storage.Snapshots;
using Crawler.Storage.Sqlite;

namespace Crawler.Benchmarks;

/// <summary>
/// The SQLite store's share of a crawl, 100 pages at a time into a real file: queue the URLs, claim them, and save
/// a new snapshot (20 KB of text, a 25 KB raw body) for each, settling its lease, all 100 saves in flight at once as
/// the crawl's concurrent pages make them. The file grows across iterations, as a crawl's does.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks : IDisposable
{
    private const int Batch = 100;
    private readonly DateTimeOffset _now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private string _folder = "";
    private SqliteCrawlStore _store = null!;
    private long _runId;
    private int _next;
    private IReadOnlyList<SnapshotBlock> _blocks = [];
    private byte[] _rawBody = [];

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("crawler-store-bench-").FullName;
        _store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_folder, "crawler.db") });
        _store.MigrateAsync().GetAwaiter().GetResult();
        _runId = _store.StartOrResumeRunAsync("bench", _now).GetAwaiter().GetResult().Id;
        _blocks = SyntheticText.EnglishParagraphs(20_000).Select(p => new SnapshotBlock(SnapshotBlockKind.Paragraph, p)).ToList();
        _rawBody = Encoding.UTF8.GetBytes(SyntheticPages.English(paragraphs: 30));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    public void Dispose() => _store?.Dispose();

    [Benchmark(Description = "SQLite: queue, claim and snapshot 100 pages")]
    public async Task<int> QueueClaimAndSnapshot()
    {
        var first = _next;
        _next += Batch;
        var urls = Enumerable.Range(first, Batch).Select(n => $"http://127.0.0.1/news/{n}.html").ToList();
        await _store.EnqueueAsync(_runId, "bench", urls.Select(u => new FrontierRequest(u, PageKind.Article, 1)).ToList(), int.MaxValue, TimeSpan.FromDays(1), _now);
        var leases = await _store.ClaimAsync(_runId, Batch, "bench-worker", TimeSpan.FromMinutes(5), _now);
        var saves = leases.Select(lease => _store.SaveSnapshotAsync(SnapshotOf(lease.Url), lease, _now));
        return (await Task.WhenAll(saves)).Count(r => r.Outcome == SnapshotWriteOutcome.Created);
    }

    private Snapshot SnapshotOf(string url)
    {
        // every page its own text: a shared text would make all but the first an exact duplicate, a cheaper write
        var blocks = _blocks.Select((b, i) => i == 0 ? b with { Text = url + " " + b.Text } : b).ToList();
        return new Snapshot
        {
            Source = "bench",
            CanonicalUrl = url,
            OriginalUrl = url,
            FinalUrl = url,
            Title = "Harbour report",
            Blocks = blocks,
            Links = ["http://127.0.0.1/list/1.html"],
            SiteName = "Bench News",
            Disclaimer = "The above is a snapshot.",
            TakedownNotice = "Write to us to have it removed.",
            GeneratedAt = _now,
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url))),
            // spread as real fingerprints are: one text for all would put every page in one near-duplicate band
            SimHash = (ulong)url.Length * 0x9E3779B97F4A7C15UL ^ BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(url))),
            Raw = new RawCapture(url, 200, "OK", [KeyValuePair.Create("Content-Type", "text/html; charset=utf-8")], _rawBody, _now),
        };
    }
}
