using Crawler.Storage;

namespace Crawler.Worker.Crawling;

/// <summary>
/// Hands back pages leased by crawler processes on this host that are gone (killed with -9, power cut), so a restart
/// resumes them at once. Leases of live processes, and of other hosts, are left to expire on their own.
/// </summary>
public sealed class LeaseRecovery(ICrawlStore store, WorkerIdentity identity, ILogger<LeaseRecovery> logger)
{
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var owners = await store.GetLeaseOwnersAsync(cancellationToken);
        var dead = owners.Where(o => o != identity.Id && WorkerIdentity.IsDeadLocalOwner(o)).ToList();
        if (dead.Count == 0)
        {
            return 0;
        }

        var released = await store.ReleaseLeasesOfAsync(dead, cancellationToken);
        logger.LogWarning("Returned {Count} page(s) leased by stopped worker(s) {Owners} to the queue", released, dead);
        return released;
    }
}
