using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Politeness inside one process: at most N requests in flight to a host, a minimum gap between their starts (the
/// configured delay or the host's Crawl-delay, whichever is larger), and a global limit across hosts. The host gate
/// is taken first, so a page waiting out its host's delay holds no global slot and other hosts go on.
/// </summary>
public sealed class HostThrottle : IDisposable
{
    private readonly ConcurrentDictionary<string, HostGate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptionsMonitor<FetchOptions> _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _global;

    public HostThrottle(IOptionsMonitor<FetchOptions> options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _global = new SemaphoreSlim(options.CurrentValue.MaxConcurrency, options.CurrentValue.MaxConcurrency);
    }

    public void Dispose()
    {
        _global.Dispose();
        foreach (var gate in _gates.Values)
        {
            gate.Slots.Dispose();
        }
    }

    public async Task<IDisposable> AcquireAsync(string host, TimeSpan? crawlDelay, CancellationToken cancellationToken)
    {
        var o = _options.CurrentValue;
        var gate = _gates.GetOrAdd(host, _ => new HostGate(o.PerHostConcurrency));
        var delay = crawlDelay is { } asked && asked > o.PerHostDelay ? (asked < o.MaxCrawlDelay ? asked : o.MaxCrawlDelay) : o.PerHostDelay;
        await gate.Slots.WaitAsync(cancellationToken);
        var holdsGlobal = false;
        try
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = _clock.GetUtcNow();
                var start = gate.NextStart > now ? gate.NextStart : now;
                gate.NextStart = start + delay;
                wait = start - now;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, cancellationToken);
            }

            await _global.WaitAsync(cancellationToken);
            holdsGlobal = true;
            return new Release(gate.Slots, _global);
        }
        catch
        {
            gate.Slots.Release();
            if (holdsGlobal)
            {
                _global.Release();
            }

            throw;
        }
    }

    private sealed class HostGate(int slots)
    {
        public SemaphoreSlim Slots { get; } = new(slots, slots);

        public DateTimeOffset NextStart { get; set; }
    }

    private sealed class Release(SemaphoreSlim host, SemaphoreSlim global) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                global.Release();
                host.Release();
            }
        }
    }
}
