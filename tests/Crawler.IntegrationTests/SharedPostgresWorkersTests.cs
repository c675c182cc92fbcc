using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crawler.FixtureSite;

namespace Crawler.IntegrationTests;

/// <summary>
/// Three real worker processes sharing one real PostgreSQL server: one schedule (Quartz clustered), one frontier.
/// The database is checked with psql, not with the store under test.
/// </summary>
public sealed partial class SharedPostgresWorkersTests : IAsyncLifetime
{
    private const int Articles = 2000;
    private const int Mirrors = 100;
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-pg-it-").FullName;
    private readonly List<WorkerProcess> _workers = [];
    private PostgresServer _server = null!;
    private string _connectionString = "";
    private NewsSite _site = null!;

    private string Config => Path.Combine(_folder, "appsettings.json");

    public Task InitializeAsync()
    {
        Skip.If(PostgresServer.Shared is null, PostgresServer.UnavailableBecause);
        _server = PostgresServer.Shared!;
        _connectionString = _server.CreateDatabase("workers");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        if (_site is not null)
        {
            await _site.DisposeAsync();
        }

        if (_connectionString.Length > 0)
        {
            _server.DropDatabase(_connectionString);
        }

        Directory.Delete(_folder, recursive: true);
    }

    [SkippableFact]
    public async Task Three_workers_snapshot_every_article_exactly_once_and_share_the_work()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = Articles, Mirrors = Mirrors });
        await WriteConfigAsync(schedule: CronSecondsFromNow(StartupMargin));
        StartWorkers(3);

        // fails in a minute, with the logs, when the tick was missed, instead of at the crawl's four-minute limit
        await WaitUntilAsync(() => _workers.Any(w => w.StandardError.Contains("Scheduled crawl of fixture fired", StringComparison.Ordinal)), TimeSpan.FromSeconds(StartupMargin + 40));
        await WaitUntilAsync(() => Count("SELECT COUNT(*) FROM crawl_runs WHERE finished_at IS NOT NULL") >= 1, TimeSpan.FromMinutes(4));

        AssertEveryArticleStoredOnce();
        var perWorker = _workers.Select(w => StoredSnapshotLines().Count(w.StandardError)).ToList();
        Assert.All(perWorker, n => Assert.True(n > 0, $"a worker stored nothing: {string.Join(", ", perWorker)}"));
        Assert.Equal(Articles, perWorker.Sum());
        Assert.Single(_workers, w => w.StandardError.Contains("Scheduled crawl of fixture fired", StringComparison.Ordinal));
        await StopWorkersAsync();
    }

    [SkippableFact]
    public async Task A_worker_killed_half_way_loses_nothing_and_duplicates_nothing()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = Articles, Mirrors = Mirrors });
        await WriteConfigAsync(schedule: CronSecondsFromNow(StartupMargin));
        StartWorkers(3);

        await WaitUntilAsync(() => Count("SELECT COUNT(*) FROM snapshots") >= Articles / 3, TimeSpan.FromMinutes(3));
        // the worker the schedule fired on, so the run's owner dies and the job has to be recovered too
        var victim = _workers.First(w => w.StandardError.Contains("Scheduled crawl of fixture fired", StringComparison.Ordinal));
        victim.KillHard();
        Assert.True(Count("SELECT COUNT(*) FROM snapshots") < Articles, "the crawl finished before the kill; the test proves nothing");

        await WaitUntilAsync(() => Count("SELECT COUNT(*) FROM crawl_runs WHERE finished_at IS NOT NULL") >= 1, TimeSpan.FromMinutes(4));
        AssertEveryArticleStoredOnce();
        Assert.Equal(0, Count("SELECT COUNT(*) FROM frontier WHERE state <> 'Done'"));
        Assert.Equal(1, Count("SELECT COUNT(*) FROM crawl_runs")); // the recovered job resumed the run, never a second one

        // the dead worker's job is fired again on a survivor once its check-ins stop (Quartz cluster recovery)
        await WaitUntilAsync(() => _workers.Any(w => !w.Killed && w.StandardError.Contains("(recovered from a stopped worker)", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        await StopWorkersAsync();
    }

    [SkippableFact]
    public async Task A_cron_source_fires_once_per_tick_with_three_workers_up()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 3, Mirrors = 0 });
        await WriteConfigAsync(schedule: "0/2 * * * * ?");
        StartWorkers(3);

        await WaitUntilAsync(() => Count("SELECT COUNT(*) FROM crawl_runs WHERE finished_at IS NOT NULL") >= 5, TimeSpan.FromMinutes(2));
        await StopWorkersAsync();

        var ticks = _workers.SelectMany(w => FiredFor().Matches(w.StandardError).Select(m => m.Groups[1].Value)).ToList();
        Assert.True(ticks.Count >= 5, string.Join('\n', ticks));
        Assert.Equal(ticks.Count, ticks.Distinct().Count()); // no tick ran on two workers
        Assert.Equal(3, Count("SELECT COUNT(*) FROM snapshots"));
        var runs = Count("SELECT COUNT(*) FROM crawl_runs");
        Assert.True(ticks.Count == runs, $"{runs} runs for {ticks.Count} ticks:\n{string.Join('\n', ticks)}\n{PostgresServer.Psql(_connectionString, "SELECT id, started_at, finished_at FROM crawl_runs")}");
    }

    private void AssertEveryArticleStoredOnce()
    {
        Assert.Equal(Articles, Count("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(Articles, Count("SELECT COUNT(DISTINCT canonical_url) FROM snapshots"));
        Assert.Equal(Articles, Count("SELECT COUNT(DISTINCT content_hash) FROM snapshots"));
        // every mirror is linked to its original, not stored again
        Assert.Equal(Mirrors, Count("SELECT COUNT(*) FROM pages WHERE duplicate_of IS NOT NULL AND canonical_url LIKE '%/news/mirror/%'"));
    }

    private void StartWorkers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _workers.Add(WorkerProcess.Start(["--config", Config]));
        }
    }

    private async Task StopWorkersAsync()
    {
        foreach (var worker in _workers.Where(w => !w.HasExited))
        {
            worker.Terminate();
        }

        foreach (var worker in _workers.Where(w => !w.Killed))
        {
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
    }

    private long Count(string sql)
    {
        var output = PostgresServer.Psql(_connectionString, sql);
        return long.Parse(output, CultureInfo.InvariantCulture);
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!SafeCheck(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time. Worker logs:\n" + string.Join("\n-----\n", _workers.Select(w => Tail(w.StandardError))));
            }

            if (_workers.FirstOrDefault(w => w.HasExited && !w.Killed) is { } dead)
            {
                throw new InvalidOperationException($"A worker exited early:\n{dead.StandardError}");
            }

            await Task.Delay(250);
        }
    }

    private static bool SafeCheck(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (InvalidOperationException)
        {
            return false; // tables not migrated yet
        }
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    /// <summary>
    /// Long enough for three workers to start on a loaded 2-core machine (full JIT, no tiered compilation) before the
    /// tick: a tick that passes before the trigger exists is not made up (misfire policy DoNothing), and the test would
    /// wait for an hour's tick. Six seconds was too short on CI while other test classes ran beside this one.
    /// </summary>
    private const int StartupMargin = 20;

    /// <summary>A Quartz cron that fires once, <paramref name="seconds"/> from now, so every worker is up before the tick.</summary>
    private static string CronSecondsFromNow(int seconds)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{at.Second} {at.Minute} * * * ?");
    }

    private async Task WriteConfigAsync(string schedule)
    {
        var config = new
        {
            Serilog = new
            {
                MinimumLevel = new
                {
                    Default = "Information",
                    Override = new Dictionary<string, string> { ["Microsoft"] = "Warning", ["System"] = "Warning", ["Quartz"] = "Warning", ["Polly"] = "Error" },
                },
            },
            Storage = new { Provider = "Postgres", Postgres = new { ConnectionString = _connectionString } },
            Crawler = new
            {
                Snapshot = new { SiteName = "snapshot.it", TimeZone = "UTC" },
                Fetch = new { AllowPrivateNetworks = true, PerHostDelay = "00:00:00", PerHostConcurrency = 8, MaxConcurrency = 8, MaxRetries = 1, RetryBaseDelay = "00:00:00.050" },
                Frontier = new { MaxAttempts = 2, RetryBaseDelay = "00:00:00.100", ShutdownGrace = "00:00:05", LeaseDuration = "00:00:10", SharedRunPollInterval = "00:00:00.500" },
                Clustering = new { CheckinInterval = "00:00:02", CheckinMisfireThreshold = "00:00:05" },
                Sources = new[]
                {
                    new
                    {
                        Name = "fixture",
                        TimeZone = "UTC",
                        Seeds = new[] { new Uri(_site.BaseUrl, "news/list/1").AbsoluteUri },
                        Include = "/news/(a|mirror)/[0-9]+\\.html$",
                        Schedule = schedule,
                        MaxPages = Articles + Mirrors + 10,
                    },
                },
            },
        };
        await File.WriteAllTextAsync(Config, JsonSerializer.Serialize(config));
    }

    [GeneratedRegex(@"\] Snapshot http")]
    private static partial Regex StoredSnapshotLines();

    [GeneratedRegex(@"Scheduled crawl of fixture fired for (\S+)")]
    private static partial Regex FiredFor();
}
