using System.CommandLine;
using Crawler.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Cli;

/// <summary>Exit codes scripts and systemd can rely on.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int SomePagesFailed = 1;
    public const int UsageOrConfiguration = 2;
}

/// <summary>How the host is wanted: the long-lived scheduled service, or a one-shot command.</summary>
public enum HostMode
{
    Service,
    Command,
}

/// <summary>
/// The command line of the one executable: with no flag it is the scheduled service; the flags run one job and
/// exit. Tokens of the form <c>Key:Sub=value</c> or <c>--Key:Sub=value</c> are .NET configuration overrides.
/// </summary>
public static class CrawlerCommandLine
{
    public static async Task<int> RunAsync(string[] args, Func<HostSettings, IHost> buildHost)
    {
        var crawlNow = new Option<bool>("--crawl-now") { Description = "Crawl every enabled source once (or only --source), print a summary, exit. Exit 1 if any page failed." };
        var source = new Option<string?>("--source") { Description = "With --crawl-now, --reextract or an export: only the source with this Crawler:Sources:N:Name.", HelpName = "NAME" };
        var url = new Option<string?>("--url") { Description = "Fetch, normalize and store one page; print its snapshot id.", HelpName = "URL" };
        var show = new Option<string?>("--show") { Description = "Print a stored snapshot as text (by snapshot id, or the latest for a URL).", HelpName = "ID|URL" };
        var config = new Option<string?>("--config") { Description = "Read this JSON configuration file instead of the appsettings.json next to the executable.", HelpName = "FILE" };
        var extract = new Option<string?>("--extract") { Description = "Extract a local HTML file, or every *.html under a folder; print one JSON object per line; store nothing.", HelpName = "PATH" };
        var health = new Option<bool>("--health") { Description = "Ask the running service's health endpoint (Crawler:Monitoring) and exit 0 if healthy, 1 if not: the container's HEALTHCHECK." };
        var history = new Option<string?>("--history") { Description = "List the stored versions of a URL with their times.", HelpName = "URL" };
        var diff = new Option<string[]>("--diff")
        {
            Description = "Paragraph diff of a URL's latest two versions, or of two snapshot ids (--diff 12 15).",
            HelpName = "URL|ID ID",
            Arity = new ArgumentArity(1, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var takedown = new Option<string?>("--takedown") { Description = "Delete the snapshots of a URL, or of a pattern with * wildcards, keep a tombstone, and never fetch matching URLs again. Needs --reason.", HelpName = "URL|PATTERN" };
        var reason = new Option<string?>("--reason") { Description = "With --takedown: why (kept in the tombstone).", HelpName = "TEXT" };
        var by = new Option<string?>("--by") { Description = "With --takedown: who asked (default $USER).", HelpName = "NAME" };
        var takedowns = new Option<bool>("--takedowns") { Description = "List the takedown tombstones." };
        var reextract = new Option<bool>("--reextract") { Description = "Rebuild stored pages from their raw captures with the current extractor (or only --source); a new version only where the content changed. Fetches nothing." };
        var exportWarc = new Option<string?>("--export-warc") { Description = "Write the raw captures (or only --source, --since) as a WARC 1.1 file: request, response and revisit records, gzip per record.", HelpName = "PATH" };
        var exportJsonl = new Option<string?>("--export-jsonl") { Description = "Write the snapshots (or only --source, --since) as JSON, one per line.", HelpName = "PATH" };
        var since = new Option<string?>("--since") { Description = "With an export: only what was fetched or made at or after this time (ISO 8601; UTC when no offset is given).", HelpName = "TIME" };
        var root = new RootCommand(
            "Crawler: fetches news pages on a schedule and keeps normalized snapshots. Without a flag it runs as the scheduled " +
            "service. Configuration comes from appsettings.json next to the executable, environment variables " +
            "(Crawler__Sources__0__Seeds__0=URL) and Key:Sub=value arguments (Storage:Sqlite:Path=/tmp/c.db). " +
            "Exit codes: 0 success, 1 finished but some pages failed, 2 usage or configuration error.")
        {
            crawlNow, source, url, show, extract, health, history, diff, takedown, reason, by, takedowns, reextract, exportWarc, exportJsonl, since, config,
        };
        root.TreatUnmatchedTokensAsErrors = false;

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.UsageOrConfiguration;
        }

        var overrides = new List<string>();
        foreach (var token in parsed.UnmatchedTokens)
        {
            if (!IsConfigurationOverride(token))
            {
                await Console.Error.WriteLineAsync($"Unknown argument '{token}'. Run with --help for usage; configuration overrides look like Storage:Sqlite:Path=/tmp/crawler.db.");
                return ExitCodes.UsageOrConfiguration;
            }

            overrides.Add(token.StartsWith("--", StringComparison.Ordinal) ? token : "--" + token);
        }

        root.SetAction(async (result, cancellationToken) =>
        {
            var chosen = new[]
                {
                    result.GetValue(crawlNow) ? "--crawl-now" : null, result.GetValue(url) is null ? null : "--url", result.GetValue(show) is null ? null : "--show",
                    result.GetValue(extract) is null ? null : "--extract", result.GetValue(history) is null ? null : "--history",
                    result.GetResult(diff) is null ? null : "--diff", result.GetValue(takedown) is null ? null : "--takedown",
                    result.GetValue(takedowns) ? "--takedowns" : null, result.GetValue(reextract) ? "--reextract" : null,
                    result.GetValue(exportWarc) is null ? null : "--export-warc", result.GetValue(exportJsonl) is null ? null : "--export-jsonl",
                    result.GetValue(health) ? "--health" : null,
                }
                .OfType<string>().ToList();
            if (chosen.Count > 1)
            {
                await Console.Error.WriteLineAsync($"Choose one of {string.Join(", ", chosen)}.");
                return ExitCodes.UsageOrConfiguration;
            }

            if (result.GetValue(source) is not null && !chosen.Any(c => c is "--crawl-now" or "--reextract" or "--export-warc" or "--export-jsonl"))
            {
                await Console.Error.WriteLineAsync("--source goes with --crawl-now, --reextract, --export-warc or --export-jsonl.");
                return ExitCodes.UsageOrConfiguration;
            }

            if ((result.GetValue(reason) is not null || result.GetValue(by) is not null) && result.GetValue(takedown) is null)
            {
                await Console.Error.WriteLineAsync("--reason and --by go with --takedown.");
                return ExitCodes.UsageOrConfiguration;
            }

            DateTimeOffset? sinceTime = null;
            if (result.GetValue(since) is { } sinceText)
            {
                if (!chosen.Any(c => c is "--export-warc" or "--export-jsonl"))
                {
                    await Console.Error.WriteLineAsync("--since goes with --export-warc or --export-jsonl.");
                    return ExitCodes.UsageOrConfiguration;
                }

                if (!DateTimeOffset.TryParse(sinceText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsedSince))
                {
                    await Console.Error.WriteLineAsync($"--since '{sinceText}' is not a time; use ISO 8601, e.g. 2026-11-25T08:00:00Z.");
                    return ExitCodes.UsageOrConfiguration;
                }

                sinceTime = parsedSince;
            }

            var configFile = result.GetValue(config);
            if (configFile is not null && !File.Exists(configFile))
            {
                await Console.Error.WriteLineAsync($"Configuration file '{configFile}' does not exist.");
                return ExitCodes.UsageOrConfiguration;
            }

            var command = new HostSettings([.. overrides], HostMode.Command, configFile);
            try
            {
                return chosen.FirstOrDefault() switch
                {
                    "--crawl-now" => await Commands.CrawlNowAsync(Build(buildHost, command), result.GetValue(source)),
                    "--url" => await Commands.FetchOneAsync(Build(buildHost, command), result.GetValue(url)!),
                    "--show" => await Commands.ShowAsync(Build(buildHost, command), result.GetValue(show)!),
                    "--extract" => await Commands.ExtractAsync(Build(buildHost, command), result.GetValue(extract)!),
                    "--health" => await Commands.HealthAsync(buildHost(command)),
                    "--history" => await ArchiveCommands.HistoryAsync(Build(buildHost, command), result.GetValue(history)!),
                    "--diff" => await ArchiveCommands.DiffAsync(Build(buildHost, command), result.GetValue(diff)!),
                    "--takedown" => await ArchiveCommands.TakeDownAsync(Build(buildHost, command), result.GetValue(takedown)!, result.GetValue(reason), result.GetValue(by)),
                    "--takedowns" => await ArchiveCommands.ListTakedownsAsync(Build(buildHost, command)),
                    "--reextract" => await ArchiveCommands.ReextractAsync(Build(buildHost, command), result.GetValue(source)),
                    "--export-warc" => await ArchiveCommands.ExportWarcAsync(Build(buildHost, command), result.GetValue(exportWarc)!, result.GetValue(source), sinceTime),
                    "--export-jsonl" => await ArchiveCommands.ExportJsonLinesAsync(Build(buildHost, command), result.GetValue(exportJsonl)!, result.GetValue(source), sinceTime),
                    _ => await Commands.RunServiceAsync(buildHost(command with { Mode = HostMode.Service })),
                };
            }
            catch (Storage.StoreUnavailableException ex)
            {
                await Console.Error.WriteLineAsync($"Store unavailable: {ex.Message}");
                return ExitCodes.SomePagesFailed;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync("Configuration error:");
                foreach (var failure in ex.Failures)
                {
                    await Console.Error.WriteLineAsync("  " + failure);
                }

                return ExitCodes.UsageOrConfiguration;
            }
            // the generated binder wraps what the value's parser threw: ArgumentException (enums), FormatException, OverflowException
            catch (InvalidOperationException ex) when (ex.InnerException is FormatException or InvalidOperationException or ArgumentException or OverflowException
                                                       && ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
            {
                // the binder names the key and the bad value ("Failed to convert configuration value at 'Crawler:Fetch:MaxRetries'")
                await Console.Error.WriteLineAsync($"Configuration error: {ex.Message} {ex.InnerException?.Message}");
                return ExitCodes.UsageOrConfiguration;
            }
        });

        // The host (service mode) and the commands handle SIGINT/SIGTERM themselves, to stop gracefully.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static IHost Build(Func<HostSettings, IHost> buildHost, HostSettings settings)
    {
        var host = buildHost(settings);
        // Commands do not start the host, so run the start-up validation ourselves.
        host.Services.GetService<IStartupValidator>()?.Validate();
        return host;
    }

    private static bool IsConfigurationOverride(string token)
    {
        var body = token.StartsWith("--", StringComparison.Ordinal) ? token[2..] : token;
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && body[..eq].Contains(':', StringComparison.Ordinal);
    }
}
