using System.Diagnostics;
using Crawler.Storage;
using Crawler.Storage.Frontier;
using Crawler.Storage.Runs;
using Crawler.Worker.Fetching;
using Crawler.Worker.Fetching.Robots;
using Crawler.Worker.Frontier;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

/// <summary>How a run ended, with the store's count of every page in it.</summary>
public sealed record RunReport(string Source, long RunId, bool Resumed, bool Finished, RunTally Tally, TimeSpan Elapsed, string? StoppedBecause)
{
    /// <summary>Time per stage, summed over concurrent pages; null when the run processed nothing in this process.</summary>
    public StageTimings? Stages { get; init; }

    /// <summary>Pages that did not end well: dead-lettered, or still waiting for a retry when the run stopped.</summary>
    public int Failed => Tally.DeadLettered + Tally.Pending + Tally.Leased;
}

/// <summary>
/// Crawls one source once: resumes its unfinished run or starts one, queues the seeds, then claims due pages in
/// batches from the store and processes them concurrently until nothing is left. On stop it claims nothing more,
/// lets pages in flight finish within the grace period and hands the rest back to the queue.
/// </summary>
public sealed class CrawlRunner(
    ICrawlStore store,
    PageProcessor processor,
    WorkerIdentity identity,
    IOptions<FrontierOptions> frontierOptions,
    IOptions<FetchOptions> fetchOptions,
    RobotsCache robots,
    ActiveRuns activeRuns,
    Monitoring.CrawlerMetrics metrics,
    TimeProvider clock,
    ILogger<CrawlRunner> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan OthersWorkingPoll = TimeSpan.FromSeconds(1);
    private readonly FrontierOptions _frontier = frontierOptions.Value;

    public async Task<RunReport> RunAsync(CrawlSource source, CancellationToken stopping)
    {
        var watch = Stopwatch.StartNew();
        var run = await store.StartOrResumeRunAsync(source.Name, clock.GetUtcNow(), stopping);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = source.Name, ["RunId"] = run.Id });
        logger.LogInformation("{Action} run {RunId} of {Source}", run.Resumed ? "Resuming" : "Starting", run.Id, source.Name);

        var seeds = source.Seeds
            .Select(s => UrlCanonicalizer.Canonicalize(s))
            .OfType<Uri>()
            .Select(u => new FrontierRequest(u.AbsoluteUri, PageKind.Seed, 0))
            .ToList();
        if (source.Options.DiscoverSitemaps && !run.Resumed)
        {
            foreach (var host in source.Seeds.DistinctBy(s => s.Authority))
            {
                foreach (var sitemap in await robots.GetSitemapsAsync(host, stopping))
                {
                    if (UrlCanonicalizer.CanonicalString(sitemap) is { } canonical && source.IsInScope(new Uri(canonical)))
                    {
                        seeds.Add(new FrontierRequest(canonical, PageKind.Seed, 0, host.AbsoluteUri + "robots.txt"));
                    }
                }
            }
        }

        await store.EnqueueAsync(run.Id, source.Name, seeds, source.Options.MaxPages, _frontier.DeadLetterRetryAfter, clock.GetUtcNow(), stopping);
        return await DrainAsync(source, run, watch, stopping);
    }

    /// <summary>
    /// Works on a run that another worker started (workers sharing one PostgreSQL store): claims its due pages like the
    /// worker that started it, and finishes it if this worker is the one that sees it empty.
    /// </summary>
    public async Task<RunReport> HelpAsync(CrawlSource source, CrawlRun run, CancellationToken stopping)
    {
        var watch = Stopwatch.StartNew();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = source.Name, ["RunId"] = run.Id });
        logger.LogInformation("Helping with run {RunId} of {Source}", run.Id, source.Name);
        return await DrainAsync(source, run with { Resumed = true }, watch, stopping);
    }

    private async Task<RunReport> DrainAsync(CrawlSource source, CrawlRun run, Stopwatch watch, CancellationToken stopping)
    {
        using var active = activeRuns.Enter(run.Id);
        // Pages in flight get their own token: stopping stops claiming at once, but cancels pages only after the grace.
        using var inFlight = new CancellationTokenSource();
        using var graceTimer = stopping.Register(() => inFlight.CancelAfter(_frontier.ShutdownGrace));
        var running = new List<(Task Task, string Host)>();
        string? stoppedBecause = null;
        var finished = false;
        var concurrency = fetchOptions.Value.MaxConcurrency;
        var perHost = fetchOptions.Value.PerHostConcurrency;
        try
        {
            while (!stopping.IsCancellationRequested && stoppedBecause is null)
            {
                running.RemoveAll(t => t.Task.IsCompleted);
                var claimed = 0;
                if (running.Count < concurrency)
                {
                    // a host with all its slots taken is passed over, so one slow host cannot fill every slot
                    var busy = running.GroupBy(t => t.Host).Where(g => g.Count() >= perHost).Select(g => g.Key).ToList();
                    var leases = await store.ClaimAsync(run.Id, Math.Min(concurrency - running.Count, _frontier.ClaimBatchSize), identity.Id, _frontier.LeaseDuration, clock.GetUtcNow(), busy, fetchOptions.Value.PerHostDelay, stopping);
                    claimed = leases.Count;
                    running.AddRange(leases.Select(lease => (ProcessAsync(source, lease, reason => stoppedBecause ??= reason, inFlight.Token), HostOf(lease))));
                }

                if (running.Count > 0)
                {
                    if (claimed == 0 || running.Count >= concurrency)
                    {
                        // a finishing page may queue links; a retry may fall due: look again soon either way
                        await Task.WhenAny(Task.WhenAny(running.Select(t => t.Task)), Task.Delay(PollInterval, clock, stopping));
                    }

                    continue;
                }

                var nextDue = await store.GetNextDueAsync(run.Id, stopping);
                if (nextDue is null)
                {
                    finished = true;
                    break;
                }

                var wait = nextDue.Value - clock.GetUtcNow();
                if (wait > TimeSpan.Zero && (await store.GetRunTallyAsync(run.Id, stopping)).Leased > 0)
                {
                    // Nothing leased here, so other workers hold pages of this run: their links may queue more work,
                    // and a dead worker's lease expires and becomes ours. Look again soon.
                    await Task.Delay(OthersWorkingPoll, clock, stopping);
                    continue;
                }

                if (wait > _frontier.MaxRetryWait)
                {
                    stoppedBecause = $"the next retry is due at {nextDue:o}, later than Crawler:Frontier:MaxRetryWait; the run resumes on the next start";
                    break;
                }

                if (wait > TimeSpan.Zero)
                {
                    logger.LogInformation("Waiting {Seconds:0.#} s for the next retry in run {RunId}", wait.TotalSeconds, run.Id);
                    await Task.Delay(wait, clock, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stop requested while waiting: fall through and drain
        }
        catch (StoreUnavailableException ex)
        {
            logger.LogCritical(ex, "Store unavailable; stopping run {RunId} of {Source}", run.Id, source.Name);
            stoppedBecause ??= ex.Message;
        }

        if (stopping.IsCancellationRequested)
        {
            stoppedBecause ??= "stop requested";
            logger.LogInformation("Stopping run {RunId}: letting {InFlight} page(s) in flight finish", run.Id, running.Count(t => !t.Task.IsCompleted));
        }

        await Task.WhenAll(running.Select(t => t.Task));
        RunTally tally;
        try
        {
            if (finished)
            {
                await store.FinishRunAsync(run.Id, clock.GetUtcNow(), CancellationToken.None);
            }

            tally = await store.GetRunTallyAsync(run.Id, CancellationToken.None);
        }
        catch (StoreUnavailableException ex)
        {
            // the run stays open and is resumed by the next start; report what we can
            finished = false;
            stoppedBecause ??= ex.Message;
            tally = new RunTally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        var report = new RunReport(source.Name, run.Id, run.Resumed, finished, tally, watch.Elapsed, stoppedBecause) { Stages = processor.Timings };
        logger.LogInformation(
            "Run {RunId} of {Source} {State} in {Elapsed:0.0} s: {Snapshots} new snapshots, {Unchanged} unchanged, {Duplicates} duplicates, {DeadLettered} dead-lettered, {Pending} still queued; {Stages}",
            run.Id, source.Name, finished ? "finished" : "stopped", watch.Elapsed.TotalSeconds, tally.Snapshots, tally.Unchanged, tally.Duplicates, tally.DeadLettered, tally.Pending + tally.Leased, processor.Timings.ToString());
        return report;
    }

    private static string HostOf(FrontierLease lease) => new Uri(lease.Url).Authority.ToLowerInvariant();

    private async Task ProcessAsync(CrawlSource source, FrontierLease lease, Action<string> stopRun, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Url"] = lease.Url, ["Attempt"] = lease.Attempts + 1 });
        try
        {
            metrics.PageProcessed((await processor.ProcessAsync(source, lease, cancellationToken)).Disposition);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                await store.ReleaseAsync(lease, CancellationToken.None);
                logger.LogInformation("Handed {Url} back to the queue (stopping)", lease.Url);
            }
            catch (StoreUnavailableException ex)
            {
                // the lease expires on its own (or is handed back by the next start on this host)
                stopRun(ex.Message);
            }
        }
        catch (StoreUnavailableException ex)
        {
            // Fetching more pages that cannot be kept helps no one; the lease expires and the page is fetched again.
            logger.LogCritical(ex, "Store unavailable while saving {Url}; stopping the run", lease.Url);
            stopRun(ex.Message);
        }
        catch (Exception ex)
        {
            // A page that breaks the pipeline must not break the run: it is counted as a failed attempt.
            logger.LogError(ex, "Unexpected failure on {Url}", lease.Url);
            try
            {
                await store.RecordFailureAsync(lease, $"unexpected: {ex.GetType().Name}: {ex.Message}",
                    new RetryPolicy(_frontier.MaxAttempts, _frontier.RetryBaseDelay, _frontier.RetryMaxDelay), null, clock.GetUtcNow(), CancellationToken.None);
            }
            catch (StoreUnavailableException storeEx)
            {
                stopRun(storeEx.Message);
            }
        }
    }
}
