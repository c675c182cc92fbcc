using Crawler.FixtureSite;
using Crawler.Storage.Frontier;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Tests.Support;

namespace Crawler.Worker.Tests.Crawling;

/// <summary>Whole crawls of the fixture site through the real pipeline into a real SQLite file.</summary>
public sealed class CrawlRunnerTests
{
    [Fact]
    public async Task A_crawl_of_the_fixture_site_snapshots_every_article_and_dead_letters_the_broken_ones()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);

        var report = await worker.CrawlAsync();

        Assert.True(report.Finished);
        var t = report.Tally;
        // 8 English articles, the seed-layout page, two GBK pages, the 500-twice page, the 429 page
        Assert.Equal(13, t.Snapshots);
        // the mirror of article 1 (same text, other URL) and the redirect to article 2 (same canonical URL)
        Assert.Equal(2, t.Duplicates + t.Unchanged);
        Assert.Equal(1, t.Listed);
        // always-500, connection reset, redirect loop
        Assert.Equal(3, t.DeadLettered);
        Assert.Equal(0, t.Pending + t.Leased);
        Assert.Equal(1, site.RequestsTo("/news/list/1"));
        Assert.Equal(0, site.RequestsTo("/news/list/2")); // not an article URL, not followed

        var failures = await worker.Store.GetFailuresAsync(report.RunId);
        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.Url.EndsWith("/news/a/broken.html", StringComparison.Ordinal) && f.LastError == "HTTP 500 Internal Server Error" && f.Attempts == 2);
        Assert.Contains(failures, f => f.Url.EndsWith("/news/loop/a.html", StringComparison.Ordinal) && f.LastError!.Contains("redirect loop", StringComparison.Ordinal) && f.Attempts == 1);
        // always-500: 3 tries in each of 2 attempts
        Assert.Equal(6, site.RequestsTo("/news/a/broken.html"));
    }

    [Fact]
    public async Task The_report_times_dedupe_apart_from_extraction_and_the_store()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);

        var report = await worker.CrawlAsync();

        var stages = report.Stages!;
        Assert.True(report.Tally.Snapshots > 0);
        // every snapshot was hashed and fingerprinted, apart from its extraction and its save
        Assert.True(stages.Dedupe > TimeSpan.Zero, stages.ToString());
        Assert.True(stages.Extract > TimeSpan.Zero, stages.ToString());
        Assert.True(stages.Store > TimeSpan.Zero, stages.ToString());
        Assert.Matches(@"^fetch \d+\.\d s, extract \d+\.\d\d s, dedupe \d+\.\d\d s, store \d+\.\d\d s$", stages.ToString());
    }

    [Fact]
    public async Task The_same_page_at_two_urls_is_stored_once()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);
        await worker.CrawlAsync();

        var canonical = await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/a/1.html").AbsoluteUri);
        var mirror = await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/mirror/1.html").AbsoluteUri);
        Assert.NotNull(canonical);
        Assert.Equal(canonical.Id, mirror!.Id);
        var versions = await worker.Store.GetVersionsAsync(canonical.CanonicalUrl);
        Assert.Single(versions);
        // the tracking parameters on the list page's link did not make a second page
        Assert.Equal(1, site.RequestsTo("/news/a/1.html"));
    }

    [Fact]
    public async Task A_second_crawl_of_unchanged_pages_makes_no_snapshot_and_an_edit_makes_version_2()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);
        var first = await worker.CrawlAsync();

        var second = await worker.CrawlAsync();
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal(0, second.Tally.Snapshots);
        Assert.Equal(first.Tally.Snapshots + first.Tally.Unchanged, second.Tally.Unchanged);

        site.EditArticle(3);
        var third = await worker.CrawlAsync();
        Assert.Equal(1, third.Tally.Snapshots);
        var url = new Uri(site.BaseUrl, "news/a/3.html").AbsoluteUri;
        var versions = await worker.Store.GetVersionsAsync(url);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        var latest = await worker.Store.GetLatestSnapshotAsync(url);
        Assert.Contains(latest!.Blocks, b => b.Text.Contains("Correction (edition 1)", StringComparison.Ordinal));
        var old = await worker.Store.GetSnapshotAsync(versions[0].Id);
        Assert.DoesNotContain(old!.Blocks, b => b.Text.Contains("Correction", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chinese_pages_in_gbk_are_stored_without_mojibake()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);
        await worker.CrawlAsync();

        foreach (var (path, quarter) in new[] { ("news/gbk/1.html", 1), ("news/gbk-header/1.html", 101) })
        {
            var snapshot = await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, path).AbsoluteUri);
            Assert.NotNull(snapshot);
            Assert.Equal($"港口货物吞吐量创新高 第{quarter}季度", snapshot.Title);
            Assert.Contains(snapshot.Blocks, b => b.Text.StartsWith($"港务局周二表示,第{quarter}季度", StringComparison.Ordinal));
            Assert.Equal("新华社", snapshot.Publisher);
            Assert.DoesNotContain('\uFFFD', snapshot.Title + string.Concat(snapshot.Blocks.Select(b => b.Text)));
        }
    }

    [Fact]
    public async Task The_seed_page_layout_yields_category_time_source_and_section_heads()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);
        await worker.CrawlAsync();

        var s = await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/zh/seed.html").AbsoluteUri);
        Assert.NotNull(s);
        Assert.Equal("纳卡局势再紧张 阿塞拜疆发起军事行动", s.Title);
        Assert.Equal("国际", s.Category);
        Assert.Equal("新华社", s.Publisher);
        Assert.Equal(new DateTimeOffset(2023, 9, 20, 15, 50, 0, TimeSpan.FromHours(8)), s.PublishedAt);
        Assert.Equal(["【局势再升级】", "【多方吁克制】"], s.Blocks.Where(b => b.Kind == SnapshotBlockKind.Heading).Select(b => b.Text));
        Assert.DoesNotContain(s.Blocks, b => b.Text == s.Title);
        Assert.EndsWith("(完)(新华社专特稿)", s.Blocks[^1].Text, StringComparison.Ordinal);
        Assert.Equal(s.OriginalUrl, new Uri(site.BaseUrl, "news/zh/seed.html").AbsoluteUri);
        Assert.Contains("snapshot.test", s.Disclaimer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_crawl_hands_its_pages_back_and_the_next_start_resumes_it_without_duplicates()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 1, SlowArticles = 12, SlowDelay = TimeSpan.FromMilliseconds(400) });
        Action<Dictionary<string, string>> slowSite = s =>
        {
            s["Crawler:Sources:0:Seeds:1"] = new Uri(site.BaseUrl, "news/list/2").AbsoluteUri;
            s["Crawler:Sources:0:Include"] = "/news/slow/";
            s["Crawler:Fetch:MaxConcurrency"] = "2";
        };
        var folder = Directory.CreateTempSubdirectory("crawler-stop-").FullName;
        RunReportSnapshot first;
        using (var worker = await TestWorker.StartAsync(site, slowSite, folder))
        {
            using var stop = new CancellationTokenSource();
            var crawl = worker.CrawlAsync(stop.Token);
            while (!crawl.IsCompleted && worker.Count("snapshots") < 2)
            {
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            var report = await crawl;
            first = new RunReportSnapshot(report.RunId, report.Finished, report.Tally.Snapshots, report.Tally.Leased);
        }

        Assert.False(first.Finished);
        Assert.InRange(first.Snapshots, 1, 11);
        Assert.Equal(0, first.Leased); // nothing left claimed: in-flight pages went back to the queue

        using (var worker = await TestWorker.StartAsync(site, slowSite, folder))
        {
            var resumed = await worker.CrawlAsync();
            Assert.Equal(first.RunId, resumed.RunId);
            Assert.True(resumed.Finished);
            Assert.Equal(12, resumed.Tally.Snapshots);
            for (var i = 1; i <= 12; i++)
            {
                Assert.Single(await worker.Store.GetVersionsAsync(new Uri(site.BaseUrl, $"news/slow/{i}.html").AbsoluteUri));
            }
        }
    }

    [Fact]
    public async Task Leases_claimed_ahead_that_wait_half_their_time_go_back_and_no_page_is_fetched_twice()
    {
        // one slot for the host, four claimed at a time: leases wait behind 1 s pages, and past 2 s (half of the 4 s
        // lease) they go back to the queue instead of running out while held; a started page has 2 s to spare
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 1, SlowArticles = 6, SlowDelay = TimeSpan.FromSeconds(1) });
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            s["Crawler:Sources:0:Seeds:1"] = new Uri(site.BaseUrl, "news/list/2").AbsoluteUri;
            s["Crawler:Sources:0:Include"] = "/news/slow/";
            s["Crawler:Fetch:MaxConcurrency"] = "2";
            s["Crawler:Fetch:PerHostConcurrency"] = "1";
            s["Crawler:Frontier:LeaseDuration"] = "00:00:04";
        });

        var report = await worker.CrawlAsync();

        Assert.True(report.Finished);
        Assert.Equal(6, report.Tally.Snapshots);
        for (var i = 1; i <= 6; i++)
        {
            Assert.Equal(1, site.RequestsTo($"/news/slow/{i}.html"));
        }
    }

    private sealed record RunReportSnapshot(long RunId, bool Finished, int Snapshots, int Leased);
}
