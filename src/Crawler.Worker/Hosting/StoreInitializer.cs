using Crawler.Storage;
using Crawler.Worker.Crawling;

namespace Crawler.Worker.Hosting;

/// <summary>
/// Runs before the scheduler: migrates the store and hands back pages left leased by a dead worker. Registered
/// first, so the service reports ready (systemd READY=1) only with a usable store.
/// </summary>
public sealed class StoreInitializer(ICrawlStore store, LeaseRecovery leases) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        await leases.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
