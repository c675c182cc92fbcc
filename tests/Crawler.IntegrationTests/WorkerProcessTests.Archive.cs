using Microsoft.Data.Sqlite;

namespace Crawler.IntegrationTests;

/// <summary>The archive operations of the CLI: versions, diffs, takedowns, raw re-extraction and exports.</summary>
public sealed partial class WorkerProcessTests
{
    [Fact]
    public async Task History_lists_both_versions_of_an_edited_story_and_diff_shows_the_edit()
    {
        var article = new Uri(_site.BaseUrl, "news/a/2.html").AbsoluteUri;
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        _site.EditArticle(2);
        (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);

        var (historyExit, history, _) = await WorkerProcess.RunAsync(["--history", article, "--config", Config]);
        Assert.Equal(0, historyExit);
        var rows = history.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length); // header and two versions
        Assert.Matches(@"^\s+1\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+[0-9a-f]{12}\s+Harbour authority", rows[1]);
        Assert.Matches(@"^\s+2\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+[0-9a-f]{12}\s+Harbour authority", rows[2]);

        var (diffExit, diff, diffErr) = await WorkerProcess.RunAsync(["--diff", article, "--config", Config]);
        Assert.True(diffExit == 0, diffErr);
        var lines = diff.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("--- snapshot", lines[0], StringComparison.Ordinal);
        Assert.Contains(", version 1,", lines[0], StringComparison.Ordinal);
        Assert.Contains(", version 2,", lines[1], StringComparison.Ordinal);
        Assert.Equal(["- The authority will publish its full annual report in March."], lines.Where(l => l.StartsWith("- ", StringComparison.Ordinal)));
        Assert.Equal(["+ Correction (edition 1): the authority will publish its full annual report in February, not March as first reported."],
            lines.Where(l => l.StartsWith("+ ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("  … ", StringComparison.Ordinal) && l.EndsWith("unchanged paragraphs", StringComparison.Ordinal));
        Assert.True(lines.Length < 10, diff); // unchanged paragraphs folded, not repeated

        // the same diff by snapshot ids
        var ids = rows[1..].Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
        var (byIdExit, byId, _) = await WorkerProcess.RunAsync(["--diff", ids[0], ids[1], "--config", Config]);
        Assert.Equal(0, byIdExit);
        Assert.Equal(diff, byId);
    }

    [Fact]
    public async Task Taken_down_urls_are_not_fetched_again()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(1, _site.RequestsTo("/news/a/3.html"));

        var article = new Uri(_site.BaseUrl, "news/a/3.html?utm_source=mail").AbsoluteUri; // canonicalized like a crawled link
        var (takedownExit, takedown, takedownErr) = await WorkerProcess.RunAsync(["--takedown", article, "--reason", "court order 77/2026", "--by", "legal", "--config", Config]);
        Assert.True(takedownExit == 0, takedownErr);
        Assert.Contains("1 snapshot(s) removed", takedown, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM snapshots WHERE canonical_url LIKE '%/news/a/3.html'"));
        Assert.Equal(3L, Scalar("SELECT COUNT(*) FROM snapshots"));

        var (_, list, _) = await WorkerProcess.RunAsync(["--takedowns", "--config", Config]);
        Assert.Matches(@"\n\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+legal\s+1\s+http://127\.0\.0\.1:\d+/news/a/3\.html\s+\(court order 77/2026\)", list);

        (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        var (urlExit, _, urlErr) = await WorkerProcess.RunAsync(["--url", article, "--config", Config]);
        Assert.Equal(1, urlExit);
        Assert.Contains("taken down", urlErr, StringComparison.Ordinal);
        Assert.Equal(1, _site.RequestsTo("/news/a/3.html")); // neither the crawl nor --url fetched it again
        Assert.Equal(2, _site.RequestsTo("/news/a/4.html"));
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM snapshots WHERE canonical_url LIKE '%/news/a/3.html'"));
    }

    [Fact]
    public async Task New_snapshots_keep_their_raw_response_and_reextract_rebuilds_from_it_without_fetching()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(4L, Scalar("SELECT COUNT(*) FROM raw_captures"));
        Assert.Equal(4L, Scalar("SELECT COUNT(*) FROM raw_captures WHERE status = 200 AND body_encoding = 'br' AND headers_json LIKE '%text/html; charset=utf-8%'"));
        Assert.True(Scalar("SELECT SUM(length(body)) FROM raw_captures") * 2 < Scalar("SELECT SUM(body_length) FROM raw_captures"), "bodies are kept compressed");
        (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(4L, Scalar("SELECT COUNT(*) FROM raw_captures")); // an unchanged re-check keeps nothing new

        // what an older, worse extractor would have stored for article 1
        Execute("""
            UPDATE snapshots SET blocks_json = '[{"Kind":0,"Text":"We use cookies to improve your experience."}]', content_hash = 'old-extractor'
            WHERE canonical_url LIKE '%/news/a/1.html';
            UPDATE pages SET latest_hash = 'old-extractor' WHERE canonical_url LIKE '%/news/a/1.html';
            """);
        var requests = _site.TotalRequests;

        var (reExit, report, reErr) = await WorkerProcess.RunAsync(["--reextract", "--source", "fixture", "--config", Config]);

        Assert.True(reExit == 0, reErr);
        Assert.Contains("re-extracted 4 page(s): 1 new version(s), 3 unchanged", report, StringComparison.Ordinal);
        Assert.Equal(requests, _site.TotalRequests);
        var (_, show, _) = await WorkerProcess.RunAsync(["--show", new Uri(_site.BaseUrl, "news/a/1.html").AbsoluteUri, "--config", Config]);
        Assert.Contains("driven by container traffic", show, StringComparison.Ordinal);
        Assert.Equal(2L, Scalar("SELECT MAX(version) FROM snapshots WHERE canonical_url LIKE '%/news/a/1.html'"));
        Assert.Equal(5L, Scalar("SELECT COUNT(*) FROM raw_captures"));
    }

    [Fact]
    public async Task Export_warc_writes_records_an_independent_reader_accepts_with_verified_digests()
    {
        await WriteConfigAsync(include: "/news/(a/[0-9]+|mirror/1)\\.html$");
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);
        var warc = Path.Combine(_folder, "export.warc.gz");

        var (exportExit, stdout, exportErr) = await WorkerProcess.RunAsync(["--export-warc", warc, "--source", "fixture", "--since", "2020-01-01", "--config", Config]);

        Assert.True(exportExit == 0, exportErr);
        Assert.Contains("wrote 10 WARC records", stdout, StringComparison.Ordinal);
        var records = await WarcReader.ReadAsync(warc);
        Assert.Equal(["warcinfo", .. Enumerable.Repeat(new[] { "response", "request" }, 4).SelectMany(x => x), "revisit"], records.Select(r => Str(r, "type")));
        Assert.All(records, r =>
        {
            Assert.Equal("WARC/1.1", Str(r, "version"));
            Assert.Matches("^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>$", Str(r, "id"));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", Str(r, "date"));
            Assert.Equal(Str(r, "blockDigestComputed"), Str(r, "blockDigest"));
        });
        Assert.Equal(records.Count, records.Select(r => Str(r, "id")).Distinct().Count());

        using var http = new HttpClient();
        foreach (var response in records.Where(r => Str(r, "type") == "response"))
        {
            var request = records.Single(r => Str(r, "type") == "request" && Str(r, "concurrentTo") == Str(response, "id"));
            Assert.Equal(Str(request, "id"), Str(response, "concurrentTo"));
            Assert.Equal(Str(response, "uri"), Str(request, "uri"));
            Assert.Equal("GET", Str(request, "httpMethod"));
            Assert.Equal("200", response.GetProperty("httpStatus").ToString());
            Assert.StartsWith("sha1:", Str(response, "payloadDigest"), StringComparison.Ordinal);
            Assert.Equal(Str(response, "payloadDigestComputed"), Str(response, "payloadDigest"));
            // the payload is the body the fixture site serves at that URL, byte for byte
            Assert.Equal(await http.GetByteArrayAsync(Str(response, "uri")), Convert.FromBase64String(Str(response, "payload")!));
        }

        // article 1 and its mirror: whichever was stored first is the response, the other the revisit pointing at it
        var revisit = records.Single(r => Str(r, "type") == "revisit");
        var original = records.Single(r => Str(r, "id") == Str(revisit, "refersTo"));
        Assert.Equal("response", Str(original, "type"));
        Assert.Equal(["/news/a/1.html", "/news/mirror/1.html"], new[] { Str(revisit, "uri")!, Str(original, "uri")! }.Select(u => new Uri(u).AbsolutePath).Order());
        Assert.Equal(Str(original, "uri"), Str(revisit, "refersToUri"));
        Assert.Equal(Str(original, "id"), Str(revisit, "refersTo"));
        Assert.Equal(Str(original, "payloadDigest"), Str(revisit, "payloadDigest"));
        Assert.Equal("http://netpreserve.org/warc/1.1/revisit/identical-payload-digest", Str(revisit, "profile"));

        // gzip per record: at the offset warcio reports for each record a gzip member starts, and it opens with that record
        var bytes = await File.ReadAllBytesAsync(warc);
        var offsets = records.Select(r => r.GetProperty("offset").GetInt64()).ToList();
        Assert.Equal(offsets.Order().Distinct(), offsets);
        Assert.All(offsets, offset => Assert.Equal("WARC/1.1", FirstBytesOfGzipAt(bytes, offset)));

        var jsonl = Path.Combine(_folder, "export.jsonl");
        var (jsonExit, jsonOut, _) = await WorkerProcess.RunAsync(["--export-jsonl", jsonl, "--config", Config]);
        Assert.Equal(0, jsonExit);
        Assert.Contains("wrote 4 snapshot(s)", jsonOut, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(jsonl);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("Harbour authority", System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("title").GetString(), StringComparison.Ordinal));
        // the documented record, field for field: generated serialization must keep the names and their order
        var first = System.Text.Json.JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(
            ["id", "version", "source", "canonicalUrl", "originalUrl", "finalUrl", "title", "publishedAt", "publishedText", "publisher", "category",
             "author", "language", "body", "blocks", "captions", "keywords", "links", "generatedAt", "contentHash", "simhash"],
            first.EnumerateObject().Select(p => p.Name));
        var block = first.GetProperty("blocks")[0];
        Assert.Equal(["kind", "text"], block.EnumerateObject().Select(p => p.Name));
        Assert.Contains(block.GetProperty("kind").GetString(), Enum.GetNames<Crawler.Storage.Snapshots.SnapshotBlockKind>());
        Assert.Equal(first.GetProperty("body").GetString(), string.Join("\n", first.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("text").GetString())));
        Assert.Matches("^[0-9a-f]{16}$", first.GetProperty("simhash").GetString());
    }

    private static string? Str(System.Text.Json.JsonElement record, string name) => record.GetProperty(name).GetString();

    private static string FirstBytesOfGzipAt(byte[] file, long offset)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(file, (int)offset, file.Length - (int)offset), System.IO.Compression.CompressionMode.Decompress);
        var head = new byte[8];
        gzip.ReadExactly(head);
        return System.Text.Encoding.ASCII.GetString(head);
    }

    [Fact]
    public async Task Takedown_without_a_reason_is_refused()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--takedown", "http://example.org/x", "--config", Config]);
        Assert.Equal(2, exit);
        Assert.Contains("--reason", stderr, StringComparison.Ordinal);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
