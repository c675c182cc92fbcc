using System.Collections.Concurrent;
using Crawler.Storage;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

/// <summary>
/// With a store shared by several workers, the scheduler starts a source's run on one of them; this service lets every
/// other worker work on it too, so a run is spread over all workers and outlives the one that started it.
/// It looks for unfinished runs every <see cref="FrontierOptions.SharedRunPollInterval"/> and helps with each one it
/// is not already working on.
/// </summary>
public sealed class SharedRunHelper(
    ICrawlStore store,
    SourceCatalog sources,
    ActiveRuns activeRuns,
    IServiceProvider services,
    IOptions<FrontierOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<SharedRunHelper> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, Task> _helping = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LookForRunsAsync(stoppingToken);
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Cannot look for shared runs: {Reason}", ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(options.Value.SharedRunPollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // pages in flight finish or go back to the queue inside each run's own stop handling
        await Task.WhenAll(_helping.Values);
    }

    private async Task LookForRunsAsync(CancellationToken stoppingToken)
    {
        foreach (var run in await store.GetUnfinishedRunsAsync(stoppingToken))
        {
            if (_helping.ContainsKey(run.Id) || activeRuns.Contains(run.Id) || sources.Find(run.Source) is not { Options.Enabled: true } source)
            {
                continue;
            }

            // a run whose seeds are not queued yet is still being opened by the worker that started it
            if ((await store.GetRunTallyAsync(run.Id, stoppingToken)).Queued == 0)
            {
                continue;
            }

            _helping[run.Id] = Task.Run(
                async () =>
                {
                    try
                    {
                        await services.GetRequiredService<CrawlRunner>().HelpAsync(source, run, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogError(ex, "Helping with run {RunId} of {Source} failed", run.Id, source.Name);
                    }
                    finally
                    {
                        _helping.TryRemove(run.Id, out _);
                    }
                },
                CancellationToken.None);
        }
    }
}
