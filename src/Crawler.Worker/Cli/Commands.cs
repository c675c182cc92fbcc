using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Crawler.Extraction;
using Crawler.Storage;
using Crawler.Worker.Crawling;
using Crawler.Worker.Frontier;
using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Cli;

/// <summary>The one-shot jobs behind the CLI flags. Output for people or scripts goes to stdout, logs to stderr.</summary>
internal static class Commands
{
    public static async Task<int> RunServiceAsync(IHost host)
    {
        using (host)
        {
            await host.RunAsync();
        }

        return ExitCodes.Success;
    }

    public static async Task<int> HealthAsync(IHost host)
    {
        using (host)
        {
            var monitoring = host.Services.GetRequiredService<IConfiguration>().GetSection(Monitoring.MonitoringOptions.SectionName).Get<Monitoring.MonitoringOptions>()
                ?? new Monitoring.MonitoringOptions();
            // a wildcard listen address is reached on loopback
            var address = monitoring.Address is "0.0.0.0" ? "127.0.0.1" : monitoring.Address is "::" ? "[::1]" : monitoring.Address.Contains(':', StringComparison.Ordinal) ? $"[{monitoring.Address}]" : monitoring.Address;
            var url = string.Create(CultureInfo.InvariantCulture, $"http://{address}:{monitoring.Port}/health");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var response = await http.GetAsync(url);
                var body = (await response.Content.ReadAsStringAsync()).Trim();
                Console.WriteLine($"{(int)response.StatusCode} {body}");
                return response.IsSuccessStatusCode ? ExitCodes.Success : ExitCodes.SomePagesFailed;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Console.Error.WriteLineAsync($"No answer from {url}: {ex.Message} (is the service running with Crawler:Monitoring:Enabled=true?)");
                return ExitCodes.SomePagesFailed;
            }
        }
    }

    public static async Task<int> CrawlNowAsync(IHost host, string? sourceName)
    {
        using (host)
        {
            var catalog = host.Services.GetRequiredService<SourceCatalog>();
            List<CrawlSource> sources;
            if (sourceName is not null)
            {
                if (catalog.Find(sourceName) is not { } one)
                {
                    await Console.Error.WriteLineAsync($"No source named '{sourceName}'. Configured: {string.Join(", ", catalog.All.Select(s => s.Name))}");
                    return ExitCodes.UsageOrConfiguration;
                }

                sources = [one];
            }
            else
            {
                sources = catalog.Enabled.ToList();
            }

            if (sources.Count == 0)
            {
                await Console.Error.WriteLineAsync("No sources configured: add Crawler:Sources:0:Name, :Seeds and :Schedule to appsettings.json.");
                return ExitCodes.UsageOrConfiguration;
            }

            using var stop = new StopSignal();
            RunReport[] reports;
            CpuUsage cpu;
            try
            {
                await InitializeStoreAsync(host);
                // one meter for all sources: their runs share the process, so a meter per run would count its CPU again
                var meter = CpuMeter.Start();
                reports = await Task.WhenAll(sources.Select(s => host.Services.GetRequiredService<CrawlRunner>().RunAsync(s, stop.Token)));
                cpu = meter.Read();
            }
            catch (StoreUnavailableException ex)
            {
                await Console.Error.WriteLineAsync($"Store unavailable: {ex.Message}");
                return ExitCodes.SomePagesFailed;
            }

            Console.Out.Write(FormatSummary(reports, cpu));
            return reports.Any(r => r.Failed > 0 || !r.Finished) ? ExitCodes.SomePagesFailed : ExitCodes.Success;
        }
    }

    public static async Task<int> FetchOneAsync(IHost host, string rawUrl)
    {
        using (host)
        {
            if (!Uri.TryCreate(rawUrl, UriKind.Absolute, out var url) || UrlCanonicalizer.Canonicalize(url) is null)
            {
                await Console.Error.WriteLineAsync($"'{rawUrl}' is not an absolute http(s) URL.");
                return ExitCodes.UsageOrConfiguration;
            }

            await InitializeStoreAsync(host);
            using var stop = new StopSignal();
            var source = host.Services.GetRequiredService<SourceCatalog>().ForUrl(url);
            var (report, fetch) = await host.Services.GetRequiredService<PageProcessor>().ProcessOneAsync(source, url, stop.Token);
            if (report.SnapshotId is { } id)
            {
                await Console.Error.WriteLineAsync($"{report.Disposition}: snapshot {id}, version {report.Version}, of {fetch.FinalUrl}");
                Console.Out.WriteLine(id.ToString(CultureInfo.InvariantCulture));
                return ExitCodes.Success;
            }

            await Console.Error.WriteLineAsync($"No snapshot of {url}: {report.Disposition}{(report.Detail is null ? "" : ": " + report.Detail)}");
            return ExitCodes.SomePagesFailed;
        }
    }

    public static async Task<int> ShowAsync(IHost host, string idOrUrl)
    {
        using (host)
        {
            var store = host.Services.GetRequiredService<ICrawlStore>();
            await store.MigrateAsync();
            var snapshot = long.TryParse(idOrUrl, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? await store.GetSnapshotAsync(id)
                : await store.GetLatestSnapshotAsync(UrlCanonicalizer.CanonicalString(idOrUrl) ?? idOrUrl);
            if (snapshot is null)
            {
                await Console.Error.WriteLineAsync($"No snapshot for '{idOrUrl}'.");
                return ExitCodes.SomePagesFailed;
            }

            Console.Out.Write(host.Services.GetRequiredService<SnapshotTextRenderer>().Render(snapshot));
            return ExitCodes.Success;
        }
    }

    public static async Task<int> ExtractAsync(IHost host, string path)
    {
        using (host)
        {
            string[] files;
            if (Directory.Exists(path))
            {
                files = Directory.GetFiles(path, "*.html", SearchOption.AllDirectories);
                Array.Sort(files, StringComparer.Ordinal);
            }
            else if (File.Exists(path))
            {
                files = [path];
            }
            else
            {
                await Console.Error.WriteLineAsync($"No such file or folder: {path}");
                return ExitCodes.UsageOrConfiguration;
            }

            var snapshot = host.Services.GetRequiredService<IOptions<SnapshotOptions>>().Value;
            var extractor = new ArticleExtractor(new ExtractionOptions
            {
                DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById(snapshot.TimeZone),
                MinArticleLength = host.Services.GetRequiredService<IOptions<ExtractionSettings>>().Value.MinArticleLength,
            });
            var failed = 0;
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
            foreach (var file in files)
            {
                try
                {
                    var bytes = await File.ReadAllBytesAsync(file);
                    var article = extractor.Extract(bytes, null, new Uri(Path.GetFullPath(file)));
                    var line = JsonSerializer.Serialize(new ExtractedPage(
                        file,
                        article.Title,
                        article.PublishedAt?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) ?? article.PublishedText,
                        article.Publisher,
                        article.Category,
                        article.Author,
                        article.Body,
                        article.Keywords,
                        article.ImageCaptions), CliJson.Lines.ExtractedPage);
                    await stdout.WriteLineAsync(line);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failed++;
                    await Console.Error.WriteLineAsync($"{file}: {ex.Message}");
                }
            }

            await stdout.FlushAsync();
            return failed == 0 ? ExitCodes.Success : ExitCodes.SomePagesFailed;
        }
    }

    internal static string FormatSummary(IReadOnlyCollection<RunReport> reports, CpuUsage? cpu = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"source",-20} {"run",5} {"fetched",8} {"new",6} {"unchanged",10} {"duplicates",11} {"not-article",12} {"skipped",8} {"retried",8} {"failed",7} {"dead",6} {"seconds",8}");
        foreach (var r in reports)
        {
            var t = r.Tally;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Source,-20} {r.RunId,5} {t.Done,8} {t.Snapshots,6} {t.Unchanged,10} {t.Duplicates,11} {t.NotArticles,12} {t.Skipped,8} {t.Retried,8} {r.Failed,7} {t.DeadLettered,6} {r.Elapsed.TotalSeconds,8:0.0}");
            if (r.Stages is { } stages)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {r.Source}: time per stage (summed over concurrent pages): {stages}");
            }

            if (r.StoppedBecause is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {r.Source}: run {r.RunId} not finished: {r.StoppedBecause}");
            }
        }

        if (cpu is { } usage)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"process CPU while crawling: {usage}");
        }

        return text.ToString();
    }

    private static async Task InitializeStoreAsync(IHost host)
    {
        await host.Services.GetRequiredService<ICrawlStore>().MigrateAsync();
        await host.Services.GetRequiredService<LeaseRecovery>().RecoverAsync(CancellationToken.None);
    }

    /// <summary>First SIGINT/SIGTERM: stop gracefully (pages in flight finish or go back to the queue). Second: exit now.</summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly PosixSignalRegistration[] _registrations;

        public StopSignal()
        {
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
        }

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            _cts.Dispose();
        }

        private void Handle(PosixSignalContext context)
        {
            if (_cts.IsCancellationRequested)
            {
                return; // second signal: default handling terminates the process
            }

            context.Cancel = true;
            Console.Error.WriteLine("Stopping: finishing pages in flight (signal again to exit at once)...");
            _cts.Cancel();
        }
    }
}
