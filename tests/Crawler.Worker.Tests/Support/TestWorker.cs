using Crawler.FixtureSite;
using Crawler.Storage;
using Crawler.Worker.Cli;
using Crawler.Worker.Crawling;
using Crawler.Worker.Fetching;
using Crawler.Worker.Hosting;
using Crawler.Worker.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Tests.Support;

/// <summary>
/// The worker's real composition (CrawlerHost.Build) pointed at a fixture site and a fresh SQLite file, with
/// delays shrunk so fault tests take milliseconds instead of minutes.
/// </summary>
internal sealed class TestWorker : IDisposable
{
    private readonly IHost _host;

    private TestWorker(IHost host, string folder)
    {
        _host = host;
        Folder = folder;
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "crawler.db");

    public IServiceProvider Services => _host.Services;

    public ICrawlStore Store => Services.GetRequiredService<ICrawlStore>();

    public CrawlSource Source => Services.GetRequiredService<SourceCatalog>().Find("fixture")!;

    public static Dictionary<string, string> DefaultSettings(NewsSite site, string folder) => new()
    {
        ["Storage:Sqlite:Path"] = Path.Combine(folder, "crawler.db"),
        ["Serilog:MinimumLevel:Default"] = Environment.GetEnvironmentVariable("CRAWLER_TEST_LOG_LEVEL") ?? "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft"] = "Warning",
        ["Serilog:MinimumLevel:Override:System"] = "Warning",
        ["Serilog:MinimumLevel:Override:Polly"] = "Warning",
        ["Crawler:Snapshot:SiteName"] = "snapshot.test",
        ["Crawler:Sources:0:Name"] = "fixture",
        ["Crawler:Sources:0:Seeds:0"] = site.Seed.AbsoluteUri,
        ["Crawler:Sources:0:Include"] = NewsSite.ArticlePattern,
        ["Crawler:Sources:0:MaxPages"] = "200",
        ["Crawler:Sources:0:Schedule"] = "0 0 * * * ?",
        ["Crawler:Fetch:AllowPrivateNetworks"] = "true",
        ["Crawler:Fetch:PerHostDelay"] = "00:00:00",
        ["Crawler:Fetch:PerHostConcurrency"] = "4",
        ["Crawler:Fetch:MaxConcurrency"] = "4",
        ["Crawler:Fetch:MaxRetries"] = "2",
        ["Crawler:Fetch:RetryBaseDelay"] = "00:00:00.050",
        ["Crawler:Fetch:AttemptTimeout"] = "00:00:05",
        ["Crawler:Fetch:TotalTimeout"] = "00:00:20",
        ["Crawler:Frontier:MaxAttempts"] = "2",
        ["Crawler:Frontier:RetryBaseDelay"] = "00:00:00.100",
        ["Crawler:Frontier:ShutdownGrace"] = "00:00:00",
    };

    public static async Task<TestWorker> StartAsync(NewsSite site, Action<Dictionary<string, string>>? configure = null, string? folder = null)
    {
        folder ??= Directory.CreateTempSubdirectory("crawler-worker-").FullName;
        var settings = DefaultSettings(site, folder);
        configure?.Invoke(settings);
        var configFile = Path.Combine(folder, "appsettings.json");
        await File.WriteAllTextAsync(configFile, "{}");
        var host = CrawlerHost.Build(new HostSettings(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray(), HostMode.Command, configFile));
        host.Services.GetService<IStartupValidator>()?.Validate();
        var worker = new TestWorker(host, folder);
        await worker.Store.MigrateAsync();
        return worker;
    }

    public Task<RunReport> CrawlAsync(CancellationToken stopping = default) =>
        Services.GetRequiredService<CrawlRunner>().RunAsync(Source, stopping);

    /// <summary>One page through the worker's fetcher, as the crawl fetches it.</summary>
    public Task<FetchResult> FetchAsync(Uri url) => Services.GetRequiredService<PageFetcher>().FetchAsync(url, default);

    /// <summary>Rows in a table, read on a connection of its own, as an operator's sqlite3 would.</summary>
    public long Count(string table) => Convert.ToInt64(Scalar($"SELECT COUNT(*) FROM {table}"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One value from the store file, for asserting what an operator would see.</summary>
    public object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd.ExecuteScalar();
    }

    /// <summary>State, outcome and note of a URL's frontier row: "Done/Skipped/disallowed by robots.txt ...".</summary>
    public string? FrontierRow(Uri url) =>
        Scalar("SELECT state || '/' || COALESCE(outcome, '') || '/' || COALESCE(note, last_error, '') FROM frontier WHERE url = $u", ("$u", url.AbsoluteUri)) as string;

    public void Dispose()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
