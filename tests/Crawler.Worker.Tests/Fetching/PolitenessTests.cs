using Crawler.FixtureSite;
using Crawler.Worker.Fetching;
using Crawler.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Crawler.Worker.Tests.Fetching;

/// <summary>robots.txt, Crawl-delay and conditional GET against the fixture site, each with its exact outcome.</summary>
public sealed class PolitenessTests
{
    private static Action<Dictionary<string, string>> ArticlesOnly(NewsSite site) => s => s["Crawler:Sources:0:Include"] = "/news/a/[0-9]+\\.html$";

    [Fact]
    public async Task A_page_robots_txt_disallows_is_skipped_with_the_reason_and_never_requested()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 3, RobotsTxt = "User-agent: *\nDisallow: /news/a/2.html\n" });
        using var worker = await TestWorker.StartAsync(site, ArticlesOnly(site));

        var report = await worker.CrawlAsync();

        Assert.Equal(2, report.Tally.Snapshots);
        Assert.Equal(1, report.Tally.Skipped);
        Assert.Equal(0, site.RequestsTo("/news/a/2.html"));
        Assert.StartsWith("Done/Skipped/disallowed by robots.txt", worker.FrontierRow(new Uri(site.BaseUrl, "news/a/2.html")), StringComparison.Ordinal);
        Assert.Null(await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/a/2.html").AbsoluteUri));
        Assert.Equal(1, site.RequestsTo("/robots.txt")); // fetched once for the whole run
    }

    [Fact]
    public async Task A_source_may_be_told_to_ignore_robots_txt()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 2, RobotsTxt = "User-agent: *\nDisallow: /\n" });
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            ArticlesOnly(site)(s);
            s["Crawler:Sources:0:IgnoreRobots"] = "true";
        });

        var report = await worker.CrawlAsync();

        Assert.Equal(2, report.Tally.Snapshots);
        Assert.Equal(0, site.RequestsTo("/robots.txt"));
    }

    [Fact]
    public async Task A_missing_robots_txt_allows_everything()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 2 });
        using var worker = await TestWorker.StartAsync(site, ArticlesOnly(site));
        var report = await worker.CrawlAsync();
        Assert.Equal(2, report.Tally.Snapshots);
        Assert.Equal(1, site.RequestsTo("/robots.txt"));
    }

    [Fact]
    public async Task A_robots_txt_answering_503_means_try_later_without_counting_an_attempt()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 1, RobotsStatus = 503 });
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            ArticlesOnly(site)(s);
            s["Crawler:Fetch:RobotsRetryAfter"] = "00:30:00";
        });

        var report = await worker.CrawlAsync();

        Assert.False(report.Finished); // the seed waits for the host, past MaxRetryWait: the run resumes later
        Assert.Contains("MaxRetryWait", report.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(0, site.RequestsTo("/news/list/1"));
        Assert.Equal(0L, worker.Scalar("SELECT attempts FROM frontier WHERE kind = 'Seed'"));
        Assert.Equal("robots.txt answered HTTP 503; try later", worker.Scalar("SELECT note FROM frontier WHERE kind = 'Seed'"));
    }

    [Fact]
    public async Task A_robots_txt_that_is_not_one_is_treated_as_allow_all()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 2, RobotsTxt = "<html><body>Oops, our CMS answered this</body></html>" });
        using var worker = await TestWorker.StartAsync(site, ArticlesOnly(site));
        var report = await worker.CrawlAsync();
        Assert.Equal(2, report.Tally.Snapshots);
    }

    [Fact]
    public async Task Crawl_delay_spaces_the_requests_to_a_host()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 4, RobotsTxt = "User-agent: *\nCrawl-delay: 0.4\n" });
        using var worker = await TestWorker.StartAsync(site, ArticlesOnly(site));

        await worker.CrawlAsync();

        var starts = Enumerable.Range(1, 4).Select(i => site.RequestTimes($"/news/a/{i}.html").Single()).Order().ToList();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(380), $"requests {gap.TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task An_unchanged_page_answers_304_to_a_conditional_get_and_costs_no_snapshot()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 1 });
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            s["Crawler:Sources:0:Seeds:0"] = new Uri(site.BaseUrl, "news/list/scoped").AbsoluteUri;
            s["Crawler:Sources:0:Seeds:1"] = new Uri(site.BaseUrl, "feed.rss").AbsoluteUri;
            s["Crawler:Sources:0:Include"] = "/news/etag/";
        });
        var url = new Uri(site.BaseUrl, "news/etag/7.html");
        var lease = await QueueOneAsync(worker, url);
        var first = await worker.Services.GetRequiredService<Crawler.Worker.Crawling.PageProcessor>().ProcessAsync(worker.Source, lease, default);
        Assert.Equal(Crawler.Worker.Crawling.PageDisposition.Snapshot, first.Disposition);

        var second = await worker.Services.GetRequiredService<Crawler.Worker.Crawling.PageProcessor>().ProcessAsync(worker.Source, await QueueOneAsync(worker, url), default);

        Assert.Equal(Crawler.Worker.Crawling.PageDisposition.Unchanged, second.Disposition);
        Assert.Equal(1, site.NotModifiedResponses);
        Assert.Single(await worker.Store.GetVersionsAsync(url.AbsoluteUri));

        site.EditArticle(7); // a new ETag: the next conditional GET gets the whole page and a new version
        var third = await worker.Services.GetRequiredService<Crawler.Worker.Crawling.PageProcessor>().ProcessAsync(worker.Source, await QueueOneAsync(worker, url), default);
        Assert.Equal(Crawler.Worker.Crawling.PageDisposition.Snapshot, third.Disposition);
        Assert.Equal(2, (await worker.Store.GetVersionsAsync(url.AbsoluteUri)).Count);
    }

    [Fact]
    public async Task A_host_refused_by_the_ssrf_guard_is_never_contacted()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s => s["Crawler:Fetch:AllowPrivateNetworks"] = "false");

        var result = await worker.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri(site.BaseUrl, "news/a/1.html"), new FetchPolicy(RespectRobots: false), default);

        Assert.Equal(FetchStatus.PermanentFailure, result.Status);
        Assert.Contains("resolves to non-public address 127.0.0.1", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, site.TotalRequests);
    }

    [Fact]
    public async Task The_ssrf_guard_applies_after_every_redirect()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            s["Crawler:Fetch:AllowPrivateNetworks"] = "false";
            s["Crawler:Fetch:PrivateNetworkAllowList:0"] = "127.0.0.1";
        });

        var result = await worker.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri(site.BaseUrl, "news/hostile/to-other-loopback.html"), new FetchPolicy(RespectRobots: false), default);

        Assert.Equal(FetchStatus.PermanentFailure, result.Status);
        Assert.Contains("non-public address 127.0.0.2", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, site.RequestsTo("/news/hostile/to-other-loopback.html"));
    }

    [Fact]
    public async Task A_slow_host_does_not_hold_up_a_fast_one()
    {
        await using var slow = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 0, SlowArticles = 5, SlowDelay = TimeSpan.FromMilliseconds(900) });
        await using var fast = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 6 });
        using var worker = await TestWorker.StartAsync(slow, s =>
        {
            s["Crawler:Sources:0:Seeds:0"] = new Uri(slow.BaseUrl, "news/list/2").AbsoluteUri;
            s["Crawler:Sources:0:Seeds:1"] = fast.Seed.AbsoluteUri;
            s["Crawler:Sources:0:Include"] = "/news/(a|slow)/[0-9]+\\.html$";
            s["Crawler:Fetch:MaxConcurrency"] = "4";
            s["Crawler:Fetch:PerHostConcurrency"] = "1";
        });

        var report = await worker.CrawlAsync();

        Assert.Equal(11, report.Tally.Snapshots);
        // one request at a time to the slow host; the fast host's six articles are all done before its third
        var fastDone = Enumerable.Range(1, 6).Max(i => fast.RequestTimes($"/news/a/{i}.html").Single());
        var slowThird = Enumerable.Range(1, 5).Select(i => slow.RequestTimes($"/news/slow/{i}.html").Single()).Order().ElementAt(2);
        Assert.True(fastDone < slowThird, $"fast host finished at {fastDone:HH:mm:ss.fff}, slow host's third request at {slowThird:HH:mm:ss.fff}");
    }

    [Fact]
    public async Task Requests_carry_the_configured_user_agent()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 1 });
        using var worker = await TestWorker.StartAsync(site, s => s["Crawler:Fetch:UserAgent"] = "ExampleNewsArchiveBot/2.1 (+https://archive.example/bot)");
        await worker.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri(site.BaseUrl, "news/a/1.html"), default);
        Assert.Equal("ExampleNewsArchiveBot/2.1 (+https://archive.example/bot)", site.LastUserAgent);
    }

    /// <summary>Starts a run holding just this URL and claims it, as the runner would.</summary>
    private static async Task<Storage.Frontier.FrontierLease> QueueOneAsync(TestWorker worker, Uri url)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var open in await worker.Store.GetUnfinishedRunsAsync())
        {
            await worker.Store.FinishRunAsync(open.Id, now);
        }

        var run = await worker.Store.StartOrResumeRunAsync("fixture", now);
        await worker.Store.EnqueueAsync(run.Id, "fixture", [new(url.AbsoluteUri, Storage.Frontier.PageKind.Article, 1)], 10, TimeSpan.Zero, now);
        return Assert.Single(await worker.Store.ClaimAsync(run.Id, 1, "test", TimeSpan.FromMinutes(1), now));
    }
}
