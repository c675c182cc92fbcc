using Crawler.Storage;
using Crawler.Worker.Crawling;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Hosting;

/// <summary>
/// Runs before the scheduler: migrates the store and hands back pages left leased by a dead worker. Registered
/// first, so the service reports ready (systemd READY=1) only with a usable store. A store that is not reachable
/// yet (a database container still starting) is waited for, PostgreSQL only, up to <see cref="StorageOptions.StartupTimeout"/>.
/// </summary>
public sealed class StoreInitializer(ICrawlStore store, LeaseRecovery leases, IOptions<StorageOptions> options, ILogger<StoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // a database server may still be starting; a SQLite file that cannot be opened will not get better by waiting
        var deadline = DateTimeOffset.UtcNow + (options.Value.Provider == StorageProvider.Postgres ? options.Value.StartupTimeout : TimeSpan.Zero);
        for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks)))
        {
            try
            {
                await store.MigrateAsync(cancellationToken);
                break;
            }
            catch (StoreUnavailableException ex) when (DateTimeOffset.UtcNow + delay < deadline)
            {
                logger.LogWarning("Store not reachable yet, trying again in {Delay} s: {Reason}", (int)delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, cancellationToken);
            }
        }

        await leases.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
