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
        // Claimed ahead: a claim is a store write that waits its turn behind the pages being saved, so a slot that frees
        // starts its next page from here at once instead of waiting for a claim. Not with a per-host delay: workers
        // sharing PostgreSQL space a host's requests when they claim them, and a lease started later than it was
        // claimed could bunch with another worker's; with one request per host per delay, a claim's wait costs nothing.
        var ready = new List<(FrontierLease Lease, string Host)>();
        Task<IReadOnlyList<FrontierLease>>? claiming = null;
        DateTimeOffset? lastClaimEmptyAt = null;
        string? stoppedBecause = null;
        var finished = false;
        var concurrency = fetchOptions.Value.MaxConcurrency;
        var perHost = fetchOptions.Value.PerHostConcurrency;
        var polite = fetchOptions.Value.PerHostDelay > TimeSpan.Zero;
        var target = concurrency + (polite ? 0 : Math.Min(concurrency, _frontier.ClaimBatchSize));
        var leasesPerHost = polite ? perHost : 2 * perHost;
        try
        {
            while (!stopping.IsCancellationRequested && stoppedBecause is null)
            {
                if (running.RemoveAll(t => t.Task.IsCompleted) > 0)
                {
                    // a finished page may have queued links
                    lastClaimEmptyAt = null;
                }

                if (claiming is { IsCompleted: true })
                {
                    var claimed = await claiming;
                    claiming = null;
                    ready.AddRange(claimed.Select(lease => (lease, HostOf(lease))));
                    lastClaimEmptyAt = claimed.Count == 0 ? clock.GetUtcNow() : null;
                }

                await StartReadyAsync(source, running, ready, concurrency, perHost, reason => stoppedBecause ??= reason, inFlight.Token);
                if (lastClaimEmptyAt is { } emptyAt && clock.GetUtcNow() - emptyAt >= PollInterval)
                {
                    // a retry may have fallen due
                    lastClaimEmptyAt = null;
                }

                // A claim can bring many leases of one host; they wait for its slots. Bounded, so a claim batch of one
                // slow host cannot pile up, and never left to expire while waiting (see StartReadyAsync).
                if (claiming is null && lastClaimEmptyAt is null && ready.Count < 2 * target)
                {
                    var byHost = InFlightByHost(running);
                    // leases of a host whose slots are all taken do not count: they cannot start before one of its pages ends
                    var startable = running.Count + ready.Count(r => byHost.GetValueOrDefault(r.Host) < perHost);
                    if (startable < target)
                    {
                        // A host past its share of leases is passed over: one slow host cannot fill every slot, nor every
                        // lease claimed ahead.
                        var busy = running.Select(t => t.Host).Concat(ready.Select(r => r.Host))
                            .GroupBy(h => h).Where(g => g.Count() >= leasesPerHost).Select(g => g.Key).ToList();
                        claiming = store.ClaimAsync(run.Id, Math.Min(target - startable, _frontier.ClaimBatchSize), identity.Id,
                            _frontier.LeaseDuration, clock.GetUtcNow(), busy, fetchOptions.Value.PerHostDelay, stopping);
                    }
                }

                if (running.Count > 0 || ready.Count > 0 || claiming is not null)
                {
                    var waits = running.Select(t => t.Task).ToList();
                    if (claiming is not null)
                    {
                        waits.Add(claiming);
                    }

                    // a page or the claim finishing, or a retry falling due
                    var poll = Task.Delay(PollInterval, clock, stopping);
                    await (waits.Count > 0 ? Task.WhenAny(Task.WhenAny(waits), poll) : poll);
                    continue;
                }

                var nextDue = await store.GetNextDueAsync(run.Id, stopping);
                if (nextDue is null)
                {
                    finished = true;
                    break;
                }

                lastClaimEmptyAt = null;
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

        await HandBackAsync(ready, claiming, reason => stoppedBecause ??= reason);
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

    /// <summary>
    /// Starts leases claimed ahead, in claim order, while slots are free and their host has one. A lease that has
    /// waited half its time goes back to the queue, whether or not a slot is free: a lease must never run out while
    /// it waits here, or a claim (this worker's included) could take the page again while it is still held.
    /// </summary>
    private async Task StartReadyAsync(
        CrawlSource source, List<(Task Task, string Host)> running, List<(FrontierLease Lease, string Host)> ready, int concurrency, int perHost, Action<string> stopRun, CancellationToken cancellationToken)
    {
        var byHost = InFlightByHost(running);
        for (var i = 0; i < ready.Count; i++)
        {
            var (lease, host) = ready[i];
            if (lease.LeaseUntil - clock.GetUtcNow() < _frontier.LeaseDuration / 2)
            {
                ready.RemoveAt(i--);
                await store.ReleaseAsync(lease, CancellationToken.None);
                continue;
            }

            if (running.Count >= concurrency || byHost.GetValueOrDefault(host) >= perHost)
            {
                continue;
            }

            ready.RemoveAt(i--);
            running.Add((ProcessAsync(source, lease, stopRun, cancellationToken), host));
            byHost[host] = byHost.GetValueOrDefault(host) + 1;
        }
    }

    private static Dictionary<string, int> InFlightByHost(List<(Task Task, string Host)> running)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, host) in running)
        {
            counts[host] = counts.GetValueOrDefault(host) + 1;
        }

        return counts;
    }

    /// <summary>Leases claimed ahead and never started go back to the queue, for the next start or another worker.</summary>
    private async Task HandBackAsync(List<(FrontierLease Lease, string Host)> ready, Task<IReadOnlyList<FrontierLease>>? claiming, Action<string> stopRun)
    {
        var leases = ready.Select(r => r.Lease).ToList();
        ready.Clear();
        try
        {
            if (claiming is not null)
            {
                try
                {
                    leases.AddRange(await claiming);
                }
                catch (Exception ex) when (ex is not StoreUnavailableException)
                {
                    // cancelled by the stop before the store ran it, or failed: it leased nothing
                    logger.LogDebug(ex, "The claim in flight at the end of the run leased nothing");
                }
            }

            foreach (var lease in leases)
            {
                await store.ReleaseAsync(lease, CancellationToken.None);
            }
        }
        catch (StoreUnavailableException ex)
        {
            // the leases expire on their own (or are handed back by the next start on this host)
            stopRun(ex.Message);
        }
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
