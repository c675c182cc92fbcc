using Crawler.FixtureSite;
using Crawler.Worker.Fetching;
using Crawler.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Crawler.Worker.Tests.Fetching;

/// <summary>
/// Broken and hostile responses: each ends in a bounded, logged outcome, nothing is stored half-way, and the
/// crawl goes on.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private NewsSite _site = null!;

    public async Task InitializeAsync() => _site = await NewsSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_gzip_bomb_is_stopped_at_the_decompressed_size_limit()
    {
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:MaxBodyBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/hostile/bomb.html"));
        Assert.Equal(FetchStatus.Skipped, result.Status);
        Assert.Equal("too large: body passed the 2097152-byte limit", result.Error);
    }

    [Fact]
    public async Task A_pdf_is_skipped_by_its_content_type()
    {
        using var worker = await TestWorker.StartAsync(_site);
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/hostile/report.pdf"));
        Assert.Equal(FetchStatus.Skipped, result.Status);
        Assert.Equal("not HTML (application/pdf)", result.Error);
    }

    [Fact]
    public async Task A_slow_drip_body_is_cut_off_at_the_page_deadline()
    {
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:TotalTimeout"] = "00:00:01.500");
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/hostile/drip.html"));
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.Equal("no complete response within 1.5 s", result.Error);
    }

    [Fact]
    public async Task A_body_broken_off_mid_way_is_a_transient_failure_and_nothing_is_kept()
    {
        using var worker = await TestWorker.StartAsync(_site);
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/hostile/truncated.html"));
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.True(result.Error!.StartsWith("body broken off", StringComparison.Ordinal), result.Error);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_redirect_chain_longer_than_the_limit_fails_with_the_url_it_reached()
    {
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:MaxRedirects"] = "5");
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/chain/1.html"));
        Assert.Equal(FetchStatus.PermanentFailure, result.Status);
        Assert.Equal("more than 5 redirects", result.Error);
        Assert.Equal(new Uri(_site.BaseUrl, "news/chain/7.html"), result.FinalUrl);
    }

    [Fact]
    public async Task A_redirect_chain_within_the_limit_records_every_hop_and_the_final_url()
    {
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:MaxRedirects"] = "30");
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/chain/15.html"));
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(5, result.Redirects.Count);
        Assert.Equal(new Uri(_site.BaseUrl, "news/chain/20.html"), result.FinalUrl);
    }

    [Theory]
    [InlineData("news/hostile/lying-utf8.html", 301)]  // says UTF-8, is GBK
    [InlineData("news/hostile/lying-gbk.html", 302)]   // says GBK, is UTF-8
    public async Task A_lying_charset_declaration_does_not_mangle_the_text(string path, int quarter)
    {
        using var worker = await TestWorker.StartAsync(_site);
        var (report, _) = await worker.Services.GetRequiredService<Crawler.Worker.Crawling.PageProcessor>().ProcessOneAsync(worker.Source, new Uri(_site.BaseUrl, path), default);
        Assert.Equal(Crawler.Worker.Crawling.PageDisposition.Snapshot, report.Disposition);
        var snapshot = await worker.Store.GetSnapshotAsync(report.SnapshotId!.Value);
        Assert.Equal($"港口货物吞吐量创新高 第{quarter}季度", snapshot!.Title);
        Assert.Contains(snapshot.Blocks, b => b.Text.Contains("集装箱运输和粮食散货运输的恢复", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_crawl_through_every_hostile_page_goes_on_and_stores_only_whole_pages()
    {
        using var worker = await TestWorker.StartAsync(_site, s =>
        {
            s["Crawler:Sources:0:Seeds:0"] = new Uri(_site.BaseUrl, "news/list/scoped").AbsoluteUri;
            s["Crawler:Fetch:MaxBodyBytes"] = "2097152";
            s["Crawler:Fetch:TotalTimeout"] = "00:00:02";
        });
        var run = await worker.Store.StartOrResumeRunAsync("fixture", DateTimeOffset.UtcNow);
        var hostile = new[] { "bomb.html", "report.pdf", "drip.html", "truncated.html", "lying-utf8.html", "lying-gbk.html" }
            .Select(p => new Storage.Frontier.FrontierRequest(new Uri(_site.BaseUrl, "news/hostile/" + p).AbsoluteUri, Storage.Frontier.PageKind.Article, 1))
            .ToList();
        await worker.Store.EnqueueAsync(run.Id, "fixture", hostile, 100, TimeSpan.Zero, DateTimeOffset.UtcNow);

        var report = await worker.CrawlAsync();

        Assert.True(report.Finished);
        Assert.Equal(2, report.Tally.Skipped);          // bomb, pdf
        Assert.Equal(2, report.Tally.DeadLettered);     // drip, truncated (after their attempts)
        Assert.Equal(4, report.Tally.Snapshots);        // the two lying pages, and /news/a/1.html and /news/a/3.html?print=1 from the scoped list
        Assert.Equal(4L, worker.Count("snapshots"));
        Assert.Equal(0L, worker.Count("frontier WHERE state IN ('Pending', 'Leased')"));
    }

    [Fact]
    public async Task Links_that_are_nofollow_excluded_malformed_or_off_scope_are_not_queued()
    {
        using var worker = await TestWorker.StartAsync(_site, s =>
        {
            s["Crawler:Sources:0:Seeds:0"] = new Uri(_site.BaseUrl, "news/list/scoped").AbsoluteUri;
            s["Crawler:Sources:0:Exclude"] = "[?&]print=";
        });

        var report = await worker.CrawlAsync();

        Assert.Equal(1, report.Tally.Snapshots); // only /news/a/1.html
        Assert.Equal(0, _site.RequestsTo("/news/a/2.html"));
        Assert.Equal(0, _site.RequestsTo("/news/a/3.html"));
        Assert.Equal(2L, worker.Count("frontier"));
    }
}
