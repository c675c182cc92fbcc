using System.Globalization;
using System.Text;
using System.Text.Json;
using Crawler.Storage;
using Crawler.Storage.Archive;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Archive;
using Crawler.Worker.Crawling;
using Crawler.Worker.Sources;
using Crawler.Worker.Frontier;

namespace Crawler.Worker.Cli;

/// <summary>The archive jobs behind the CLI: versions, takedowns, raw re-extraction and exports.</summary>
internal static class ArchiveCommands
{
    public static async Task<int> TakeDownAsync(IHost host, string urlOrPattern, string? reason, string? by)
    {
        using (host)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                await Console.Error.WriteLineAsync("--takedown needs --reason TEXT: the tombstone says why the content is gone.");
                return ExitCodes.UsageOrConfiguration;
            }

            // an exact URL is matched as the crawler stores it (canonical); a pattern as typed
            var pattern = urlOrPattern.Contains('*', StringComparison.Ordinal) ? urlOrPattern : UrlCanonicalizer.CanonicalString(urlOrPattern) ?? urlOrPattern;
            var who = by ?? Environment.GetEnvironmentVariable("USER") ?? Environment.UserName;
            var store = await OpenStoreAsync(host);
            var takedown = await store.TakeDownAsync(pattern, reason, who, DateTimeOffset.UtcNow);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"takedown {takedown.Id}: {takedown.Pattern}: {takedown.SnapshotsRemoved} snapshot(s) removed; matching URLs will not be fetched again"));
            return ExitCodes.Success;
        }
    }

    public static async Task<int> ListTakedownsAsync(IHost host)
    {
        using (host)
        {
            var store = await OpenStoreAsync(host);
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{"id",4}  {"when (UTC)",-19}  {"by",-12} {"removed",7}  pattern  (reason)");
            foreach (var t in await store.GetTakedownsAsync())
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{t.Id,4}  {Utc(t.At)}  {t.RequestedBy,-12} {t.SnapshotsRemoved,7}  {t.Pattern}  ({t.Reason})");
            }

            Console.Out.Write(text.ToString());
            return ExitCodes.Success;
        }
    }

    public static async Task<int> HistoryAsync(IHost host, string url)
    {
        using (host)
        {
            var store = await OpenStoreAsync(host);
            var versions = await store.GetVersionsAsync(UrlCanonicalizer.CanonicalString(url) ?? url);
            if (versions.Count == 0)
            {
                await Console.Error.WriteLineAsync($"No versions of '{url}'.");
                return ExitCodes.SomePagesFailed;
            }

            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{"version",7}  {"snapshot",8}  {"stored (UTC)",-19}  {"content",-12}  title");
            foreach (var v in versions)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{v.Version,7}  {v.Id,8}  {Utc(v.GeneratedAt)}  {v.ContentHash[..12]}  {v.Title}");
            }

            Console.Out.Write(text.ToString());
            return ExitCodes.Success;
        }
    }

    public static async Task<int> DiffAsync(IHost host, IReadOnlyList<string> args)
    {
        using (host)
        {
            var store = await OpenStoreAsync(host);
            Snapshot? before, after;
            if (args.Count == 2)
            {
                if (!long.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a) || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b))
                {
                    await Console.Error.WriteLineAsync("--diff takes one URL (its latest two versions) or two snapshot ids.");
                    return ExitCodes.UsageOrConfiguration;
                }

                (before, after) = (await store.GetSnapshotAsync(a), await store.GetSnapshotAsync(b));
            }
            else
            {
                var versions = await store.GetVersionsAsync(UrlCanonicalizer.CanonicalString(args[0]) ?? args[0]);
                if (versions.Count < 2)
                {
                    await Console.Error.WriteLineAsync($"'{args[0]}' has {versions.Count} version(s); a diff needs two.");
                    return ExitCodes.SomePagesFailed;
                }

                (before, after) = (await store.GetSnapshotAsync(versions[^2].Id), await store.GetSnapshotAsync(versions[^1].Id));
            }

            if (before is null || after is null)
            {
                await Console.Error.WriteLineAsync($"No snapshot {(before is null ? args[0] : args[^1])}.");
                return ExitCodes.SomePagesFailed;
            }

            Console.Out.WriteLine(Header('-', before));
            Console.Out.WriteLine(Header('+', after));
            Console.Out.Write(ParagraphDiff.Render(Paragraphs(before), Paragraphs(after)));
            return ExitCodes.Success;
        }
    }

    public static async Task<int> ReextractAsync(IHost host, string? sourceName)
    {
        using (host)
        {
            var catalog = host.Services.GetRequiredService<SourceCatalog>();
            if (sourceName is not null && catalog.Find(sourceName) is null)
            {
                await Console.Error.WriteLineAsync($"No source named '{sourceName}'. Configured: {string.Join(", ", catalog.All.Select(s => s.Name))}");
                return ExitCodes.UsageOrConfiguration;
            }

            var store = await OpenStoreAsync(host);
            var processor = host.Services.GetRequiredService<PageProcessor>();
            var counts = new Dictionary<PageDisposition, int>();
            foreach (var entry in await store.GetCapturesAsync(sourceName, null, latestOnly: true))
            {
                if (await store.GetSnapshotAsync(entry.SnapshotId) is not { } stored || await store.GetRawCaptureAsync(entry.SnapshotId) is not { } raw)
                {
                    continue; // taken down meanwhile
                }

                // a source renamed or removed since: its pages still re-extract, under the source that now owns the URL
                var source = catalog.Find(stored.Source) ?? catalog.ForUrl(new Uri(stored.CanonicalUrl));
                var report = await processor.ReextractAsync(source, stored, raw, CancellationToken.None);
                counts[report.Disposition] = counts.GetValueOrDefault(report.Disposition) + 1;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"re-extracted {counts.Values.Sum()} page(s): {counts.GetValueOrDefault(PageDisposition.Snapshot)} new version(s), {counts.GetValueOrDefault(PageDisposition.Unchanged)} unchanged, {counts.GetValueOrDefault(PageDisposition.Duplicate)} duplicate(s), {counts.GetValueOrDefault(PageDisposition.NotArticle)} no longer an article (kept)"));
            return ExitCodes.Success;
        }
    }

    public static async Task<int> ExportWarcAsync(IHost host, string path, string? sourceName, DateTimeOffset? since)
    {
        using (host)
        {
            var store = await OpenStoreAsync(host);
            var userAgent = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Fetching.FetchOptions>>().Value.UserAgent;
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using var warc = new WarcWriter(file);
            var info = warc.WriteInfo(Path.GetFileName(path), new Dictionary<string, string>
            {
                ["software"] = $"crawler/{typeof(ArchiveCommands).Assembly.GetName().Version}",
                ["format"] = "WARC File Format 1.1",
                ["conformsTo"] = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                ["http-header-user-agent"] = userAgent,
            }, DateTimeOffset.UtcNow);
            var written = new Dictionary<long, (RawCapture Raw, string RecordId)>();
            foreach (var entry in await store.GetCapturesAsync(sourceName, since, latestOnly: false))
            {
                if (await store.GetRawCaptureAsync(entry.SnapshotId) is { } raw)
                {
                    written[entry.SnapshotId] = (raw, warc.WriteExchange(raw, userAgent, info));
                }
            }

            var revisits = 0;
            foreach (var link in await store.GetDuplicateLinksAsync(sourceName, since))
            {
                // the original may be outside this export (--since): the revisit then names it by URL and date only
                var inFile = written.TryGetValue(link.SnapshotId, out var w);
                var original = inFile ? w.Raw : await store.GetRawCaptureAsync(link.SnapshotId);
                if (original is not null)
                {
                    warc.WriteRevisit(link.Url, link.CheckedAt, original, inFile ? w.RecordId : null, info);
                    revisits++;
                }
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {warc.Records} WARC records to {path}: warcinfo, {written.Count} request/response pair(s), {revisits} revisit(s)"));
            return ExitCodes.Success;
        }
    }

    public static async Task<int> ExportJsonLinesAsync(IHost host, string path, string? sourceName, DateTimeOffset? since)
    {
        using (host)
        {
            var store = await OpenStoreAsync(host);
            await using var file = new StreamWriter(path, append: false, new UTF8Encoding(false));
            var count = 0;
            foreach (var id in await store.GetSnapshotIdsAsync(sourceName, since))
            {
                if (await store.GetSnapshotAsync(id) is not { } s)
                {
                    continue;
                }

                await file.WriteLineAsync(JsonSerializer.Serialize(
                    new ExportedSnapshot(
                        s.Id, s.Version, s.Source, s.CanonicalUrl, s.OriginalUrl, s.FinalUrl, s.Title, s.PublishedAt, s.PublishedText,
                        s.Publisher, s.Category, s.Author, s.Language,
                        string.Join("\n", s.Blocks.Select(b => b.Text)),
                        [.. s.Blocks.Select(b => new ExportedBlock(b.Kind.ToString(), b.Text))],
                        s.ImageCaptions, s.Keywords, s.Links, s.GeneratedAt, s.ContentHash,
                        s.SimHash?.ToString("x16", CultureInfo.InvariantCulture)),
                    CliJson.Lines.ExportedSnapshot));
                count++;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {count} snapshot(s) to {path}"));
            return ExitCodes.Success;
        }
    }

    internal static IReadOnlyList<string> Paragraphs(Snapshot s) => [$"Title: {s.Title}", .. s.Blocks.Select(b => b.Text)];

    private static string Header(char sign, Snapshot s) =>
        string.Create(CultureInfo.InvariantCulture, $"{sign}{sign}{sign} snapshot {s.Id}, version {s.Version}, {Utc(s.GeneratedAt)} UTC, {s.CanonicalUrl}");

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static async Task<ICrawlStore> OpenStoreAsync(IHost host)
    {
        var store = host.Services.GetRequiredService<ICrawlStore>();
        await store.MigrateAsync();
        return store;
    }
}
