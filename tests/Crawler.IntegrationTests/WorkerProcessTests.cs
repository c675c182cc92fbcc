using System.Text.Json;
using Crawler.FixtureSite;
using Microsoft.Data.Sqlite;

namespace Crawler.IntegrationTests;

/// <summary>The real executable against the fixture site: the CLI, the service, kill -9 and SIGTERM.</summary>
public sealed partial class WorkerProcessTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-it-").FullName;
    private NewsSite _site = null!;

    private string Db => Path.Combine(_folder, "crawler.db");

    private string Config => Path.Combine(_folder, "appsettings.json");

    public async Task InitializeAsync()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 4, SlowArticles = 16, SlowDelay = TimeSpan.FromMilliseconds(400) });
        await WriteConfigAsync(include: "/news/a/[0-9]+\\.html$");
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Crawl_now_stores_every_article_prints_a_summary_and_exits_0()
    {
        var (exit, stdout, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"fixture\s+\d+\s+5\s+4\s+0\s+0", stdout); // fetched 5 (list + 4 articles), 4 new, 0 unchanged, 0 duplicates
        Assert.Equal(4L, Scalar("SELECT COUNT(*) FROM snapshots"));
        Assert.Matches(@"time per stage .*: fetch \d+\.\d s, extract \d+\.\d\d s, dedupe \d+\.\d\d s, store \d+\.\d\d s", stdout);
        Assert.Matches(@"process CPU while crawling: \d+\.\d\d s in \d+\.\d s on \d+ cores? \(\d+% of (them|it) busy\)", stdout);
        Assert.Contains("Starting run", stderr, StringComparison.Ordinal); // logs go to stderr, stdout stays clean
    }

    [Fact]
    public async Task Logs_carry_source_url_attempt_and_snapshot_id_as_structured_properties()
    {
        await WriteConfigAsync(include: "/news/a/[0-9]+\\.html$", jsonLogs: true);
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(exit == 0, stderr);

        var events = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var stored = events.First(e => e.TryGetProperty("SnapshotId", out _));
        Assert.Equal("fixture", stored.GetProperty("Source").GetString());
        Assert.StartsWith(_site.BaseUrl.AbsoluteUri, stored.GetProperty("Url").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, stored.GetProperty("Attempt").GetInt32());
        Assert.True(stored.GetProperty("RunId").GetInt64() > 0);
    }

    [Fact]
    public async Task Ctrl_c_during_crawl_now_stops_gracefully_and_the_next_run_resumes()
    {
        await WriteConfigAsync(include: "/news/slow/", seeds: ["news/list/2"], maxConcurrency: 2);
        using (var first = WorkerProcess.Start(["--crawl-now", "--config", Config], interruptible: true))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await WaitUntilAsync(() => File.Exists(Db) && Scalar("SELECT COUNT(*) FROM snapshots") >= 2, TimeSpan.FromSeconds(60), first);
            var seenAfter = watch.Elapsed;
            var exitedBefore = first.HasExited;
            first.Interrupt();
            var exit = await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            // finished, but not every page: the run is left to resume
            Assert.True(exit == 1, $"exit {exit}; two snapshots seen after {seenAfter.TotalSeconds:0.00} s, the worker gone before the interrupt: {exitedBefore}\n"
                + $"stdout:\n{first.StandardOutput}\nstderr:\n{first.StandardError}");
            Assert.Contains("Stopping: finishing pages in flight", first.StandardError, StringComparison.Ordinal);
            Assert.Contains("not finished: stop requested", first.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM frontier WHERE state = 'Leased'"));
        var (again, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);
        Assert.True(again == 0, stderr);
        Assert.Contains("Resuming run", stderr, StringComparison.Ordinal);
        Assert.Equal(16L, Scalar("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(16L, Scalar("SELECT COUNT(DISTINCT canonical_url) FROM snapshots"));
    }

    [Fact]
    public async Task Crawl_now_exits_1_when_pages_were_dead_lettered_and_names_them_in_the_log()
    {
        await WriteConfigAsync(include: "/news/a/(1|broken)\\.html");
        var (exit, stdout, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);

        Assert.Equal(1, exit);
        Assert.Contains("Dead-lettered", stderr, StringComparison.Ordinal);
        Assert.Contains("broken.html", stderr, StringComparison.Ordinal);
        Assert.Matches(@"fixture\s+\d+\s+2\s+1\s+0\s+0\s+0\s+0\s+\d+\s+1\s+1", stdout);
    }

    [Fact]
    public async Task Url_stores_one_page_prints_its_id_and_show_renders_it_with_disclaimer_time_and_original_url()
    {
        var url = new Uri(_site.BaseUrl, "news/zh/seed.html").AbsoluteUri;
        var (exit, stdout, stderr) = await WorkerProcess.RunAsync(["--url", url, "--config", Config]);
        Assert.True(exit == 0, stderr);
        var id = long.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        foreach (var key in new[] { id.ToString(System.Globalization.CultureInfo.InvariantCulture), url })
        {
            var shown = await WorkerProcess.RunAsync(["--show", key, "--config", Config]);
            Assert.True(shown.ExitCode == 0, shown.Stderr);
            var text = shown.Stdout;
            Assert.StartsWith("类别:国际 发布时间:2023-09-20 15:50:00 来源:新华社\n\n纳卡局势再紧张 阿塞拜疆发起军事行动\n", text, StringComparison.Ordinal);
            Assert.Contains("【局势再升级】", text, StringComparison.Ordinal);
            Assert.Contains("以上内容为资讯信息快照,由snapshot.it爬虫进行采集并收录", text, StringComparison.Ordinal);
            Assert.Matches(@"快照生成时间:\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\n", text);
            Assert.EndsWith($"信息原文地址:{url}\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Show_of_an_unknown_snapshot_exits_1()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--show", "424242", "--config", Config]);
        Assert.Equal(1, exit);
        Assert.Contains("No snapshot", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_configuration_value_exits_2_naming_the_key()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config], new Dictionary<string, string> { ["Crawler__Sources__0__Schedule"] = "every hour" });
        Assert.Equal(2, exit);
        Assert.Contains("Crawler:Sources:0:Schedule 'every hour'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Storage__Provider", "Postgress", "Storage:Provider")]
    [InlineData("Crawler__Fetch__MaxRetries", "two", "Crawler:Fetch:MaxRetries")]
    [InlineData("Crawler__Fetch__MaxRetries", "99999999999", "Crawler:Fetch:MaxRetries")]
    [InlineData("Crawler__Frontier__RetryBaseDelay", "soon", "Crawler:Frontier:RetryBaseDelay")]
    [InlineData("Crawler__Frontier__RetryBaseDelay", "3.00:00:00", "Crawler:Frontier:RetryBaseDelay: The field FrontierOptions.RetryBaseDelay must be between 00:00:00 and 1.00:00:00")]
    [InlineData("Crawler__Fetch__RetryBaseDelay", "00:09:00", "Crawler:Fetch:RetryBaseDelay: The field FetchOptions.RetryBaseDelay must be between 00:00:00 and 00:05:00")]
    public async Task An_unreadable_or_out_of_range_value_exits_2_naming_the_key(string variable, string value, string expected)
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config], new Dictionary<string, string> { [variable] = value });
        Assert.True(exit == 2, $"exit {exit}: {stderr}");
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_agent_without_a_contact_url_is_refused_at_start()
    {
        var (exit, _, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config, "Crawler:Fetch:UserAgent=SneakyBot/1.0"]);
        Assert.Equal(2, exit);
        Assert.Contains("Crawler:Fetch:UserAgent must name a contact URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_flags_and_conflicting_flags_exit_2()
    {
        Assert.Equal(2, (await WorkerProcess.RunAsync(["--crawlnow"])).ExitCode);
        Assert.Equal(2, (await WorkerProcess.RunAsync(["--crawl-now", "--show", "1", "--config", Config])).ExitCode);
        Assert.Equal(2, (await WorkerProcess.RunAsync(["--url", "not-a-url", "--config", Config])).ExitCode);
    }

    [Fact]
    public async Task Help_explains_every_flag()
    {
        var (exit, stdout, _) = await WorkerProcess.RunAsync(["--help"]);
        Assert.Equal(0, exit);
        foreach (var flag in new[] { "--crawl-now", "--source", "--url", "--show", "--extract", "--config" })
        {
            Assert.Contains(flag, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Extract_prints_one_json_object_per_html_file_and_stores_nothing()
    {
        var pages = Directory.CreateDirectory(Path.Combine(_folder, "pages"));
        using var http = new HttpClient();
        await File.WriteAllBytesAsync(Path.Combine(pages.FullName, "seed.html"), await http.GetByteArrayAsync(new Uri(_site.BaseUrl, "news/zh/seed.html")));
        await File.WriteAllBytesAsync(Path.Combine(pages.FullName, "gbk.html"), await http.GetByteArrayAsync(new Uri(_site.BaseUrl, "news/gbk/2.html")));

        var (exit, stdout, stderr) = await WorkerProcess.RunAsync(["--extract", pages.FullName, "--config", Config]);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(
            ["path", "title", "publishTime", "source", "category", "author", "body", "keywords", "captions"], l.EnumerateObject().Select(p => p.Name)));
        var gbk = lines.Single(l => l.GetProperty("path").GetString()!.EndsWith("gbk.html", StringComparison.Ordinal));
        Assert.Equal("港口货物吞吐量创新高 第2季度", gbk.GetProperty("title").GetString());
        Assert.Equal("李明", gbk.GetProperty("author").GetString());
        var seed = lines.Single(l => l.GetProperty("path").GetString()!.EndsWith("seed.html", StringComparison.Ordinal));
        Assert.Equal("国际", seed.GetProperty("category").GetString());
        Assert.Equal("新华社", seed.GetProperty("source").GetString());
        Assert.StartsWith("2023-09-20T15:50:00+08:00", seed.GetProperty("publishTime").GetString(), StringComparison.Ordinal);
        Assert.Contains("【局势再升级】", seed.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Db));
    }

    [Fact]
    public async Task A_crawl_killed_with_sigkill_resumes_on_the_next_start_losing_nothing_and_storing_nothing_twice()
    {
        await WriteConfigAsync(include: "/news/slow/", seeds: ["news/list/2"], maxConcurrency: 2);
        using (var first = WorkerProcess.Start(["--crawl-now", "--config", Config]))
        {
            await WaitUntilAsync(() => File.Exists(Db) && Scalar("SELECT COUNT(*) FROM snapshots") >= 3, TimeSpan.FromSeconds(60), first);
            first.KillHard();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var before = Scalar("SELECT COUNT(*) FROM snapshots");
        Assert.InRange(before, 3, 15);
        Assert.True(Scalar("SELECT COUNT(*) FROM frontier WHERE state = 'Leased'") > 0, "the kill should leave pages leased");

        var (exit, stdout, stderr) = await WorkerProcess.RunAsync(["--crawl-now", "--config", Config]);

        Assert.True(exit == 0, stderr);
        Assert.Contains("Returned", stderr, StringComparison.Ordinal); // the dead process's leases were handed back
        Assert.Contains("Resuming run", stderr, StringComparison.Ordinal);
        Assert.Equal(16L, Scalar("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(16L, Scalar("SELECT COUNT(DISTINCT canonical_url) FROM snapshots"));
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM frontier WHERE state <> 'Done'"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM crawl_runs"));
        for (var i = 1; i <= 16; i++)
        {
            // every page fetched at least once; only pages in flight at the kill were fetched again
            Assert.InRange(_site.RequestsTo($"/news/slow/{i}.html"), 1, 2);
        }

        Assert.Contains("fixture", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_crawls_on_its_cron_schedule_and_stops_gracefully_on_sigterm()
    {
        await WriteConfigAsync(include: "/news/slow/", seeds: ["news/list/2"], maxConcurrency: 2, schedule: "0/2 * * * * ?");
        using var service = WorkerProcess.Start(["--config", Config]);
        await WaitUntilAsync(() => File.Exists(Db) && Scalar("SELECT COUNT(*) FROM snapshots") >= 2, TimeSpan.FromSeconds(60), service);

        service.Terminate();
        var exit = await service.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.True(exit == 0, service.StandardError);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM frontier WHERE state = 'Leased'")); // nothing left claimed
        Assert.Equal(Scalar("SELECT COUNT(DISTINCT canonical_url) FROM snapshots"), Scalar("SELECT COUNT(*) FROM snapshots"));

        // the next start resumes the run the stop cut short and finishes it
        using var again = WorkerProcess.Start(["--config", Config]);
        await WaitUntilAsync(() => Scalar("SELECT COUNT(*) FROM snapshots") == 16, TimeSpan.FromSeconds(60), again);
        again.Terminate();
        Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Equal(16L, Scalar("SELECT COUNT(DISTINCT canonical_url) FROM snapshots"));
    }

    [Fact]
    public async Task The_service_answers_health_and_serves_prometheus_metrics_when_monitoring_is_enabled()
    {
        await WriteConfigAsync(include: "/news/a/[0-9]+\\.html$", schedule: "0/2 * * * * ?");
        var port = FreePort();
        string[] monitoring = [$"Crawler:Monitoring:Enabled=true", $"Crawler:Monitoring:Port={port}"];
        using var http = new HttpClient();

        // nothing listens yet: the health probe says so and fails
        var (down, _, downErr) = await WorkerProcess.RunAsync(["--health", "--config", Config, .. monitoring]);
        Assert.Equal(1, down);
        Assert.Contains("No answer from", downErr, StringComparison.Ordinal);

        using var service = WorkerProcess.Start(["--config", Config, .. monitoring]);
        await WaitUntilAsync(() => File.Exists(Db) && Scalar("SELECT COUNT(*) FROM snapshots") >= 4, TimeSpan.FromSeconds(60), service);

        var (up, upOut, upErr) = await WorkerProcess.RunAsync(["--health", "--config", Config, .. monitoring]);
        Assert.True(up == 0, upErr);
        Assert.StartsWith("200 ok: ", upOut, StringComparison.Ordinal);

        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Contains("# TYPE crawler_pages_total counter", metrics, StringComparison.Ordinal);
        Assert.Matches(@"crawler_snapshots_created_total [4-9]\b", metrics);
        Assert.Matches(@"crawler_snapshots [4-9]\b", metrics);
        Assert.Contains("crawler_store_up 1", metrics, StringComparison.Ordinal);
        Assert.Matches(@"crawler_queue_depth \d+", metrics);

        service.Terminate();
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(40)));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly object LogLevels = new
    {
        Default = "Information",
        Override = new Dictionary<string, string> { ["Microsoft"] = "Warning", ["System"] = "Warning", ["Quartz"] = "Warning", ["Polly"] = "Error" },
    };

    private async Task WriteConfigAsync(string include, string[]? seeds = null, int maxConcurrency = 4, string schedule = "0 0 * * * ?", bool jsonLogs = false)
    {
        var config = new
        {
            Serilog = jsonLogs
                ? (object)new
                {
                    MinimumLevel = LogLevels,
                    WriteTo = new[] { new { Name = "Console", Args = new { formatter = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact", standardErrorFromLevel = "Verbose" } } },
                }
                : new { MinimumLevel = LogLevels },
            Storage = new { Sqlite = new { Path = Db } },
            Crawler = new
            {
                Snapshot = new { SiteName = "snapshot.it" },
                Fetch = new { AllowPrivateNetworks = true, PerHostDelay = "00:00:00", PerHostConcurrency = 4, MaxConcurrency = maxConcurrency, MaxRetries = 1, RetryBaseDelay = "00:00:00.050" },
                Frontier = new { MaxAttempts = 2, RetryBaseDelay = "00:00:00.100", ShutdownGrace = "00:00:05" },
                Sources = new[]
                {
                    new
                    {
                        Name = "fixture",
                        Seeds = (seeds ?? ["news/list/1"]).Select(s => new Uri(_site.BaseUrl, s).AbsoluteUri).ToArray(),
                        Include = include,
                        Schedule = schedule,
                        MaxPages = 100,
                    },
                },
            },
        };
        await File.WriteAllTextAsync(Config, JsonSerializer.Serialize(config));
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        try
        {
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return -1; // schema not there yet
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}; worker stderr:\n{worker.StandardError}");
            }

            await Task.Delay(100);
        }
    }
}
