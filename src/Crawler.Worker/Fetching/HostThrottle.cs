using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Per-host politeness inside one process: at most N requests in flight to a host and a minimum gap between their
/// starts. Other hosts are not held up by a slow one, because each host has its own gate.
/// </summary>
public sealed class HostThrottle(IOptionsMonitor<FetchOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, HostGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IDisposable> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var gate = _gates.GetOrAdd(host, _ => new HostGate(o.PerHostConcurrency));
        await gate.Slots.WaitAsync(cancellationToken);
        try
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = clock.GetUtcNow();
                var start = gate.NextStart > now ? gate.NextStart : now;
                gate.NextStart = start + o.PerHostDelay;
                wait = start - now;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken);
            }

            return new Release(gate.Slots);
        }
        catch
        {
            gate.Slots.Release();
            throw;
        }
    }

    private sealed class HostGate(int slots)
    {
        public SemaphoreSlim Slots { get; } = new(slots, slots);

        public DateTimeOffset NextStart { get; set; }
    }

    private sealed class Release(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
