using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Politeness inside one process: at most N requests in flight to a host with a minimum gap between their starts,
/// and a global limit across hosts. A host whose robots.txt sets a Crawl-delay gets one request at a time, the delay
/// counted from the end of the previous one: so the server sees the gap even when a send stalls on our side. The
/// host gate is taken first, so a page waiting out its host's delay holds no global slot and other hosts go on.
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
            gate.Serial.Dispose();
        }
    }

    public async Task<IDisposable> AcquireAsync(string host, TimeSpan? crawlDelay, CancellationToken cancellationToken)
    {
        var o = _options.CurrentValue;
        var gate = _gates.GetOrAdd(host, _ => new HostGate(o.PerHostConcurrency));
        var serial = crawlDelay is { } asked && asked > TimeSpan.Zero;
        var delay = serial && crawlDelay!.Value > o.PerHostDelay ? (crawlDelay.Value < o.MaxCrawlDelay ? crawlDelay.Value : o.MaxCrawlDelay) : o.PerHostDelay;
        await gate.Slots.WaitAsync(cancellationToken);
        var holdsSerial = false;
        var holdsGlobal = false;
        try
        {
            if (serial)
            {
                await gate.Serial.WaitAsync(cancellationToken);
                holdsSerial = true;
            }

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
            return new Release(this, gate, holdsSerial ? delay : null);
        }
        catch
        {
            if (holdsGlobal)
            {
                _global.Release();
            }

            if (holdsSerial)
            {
                gate.Serial.Release();
            }

            gate.Slots.Release();
            throw;
        }
    }

    private void Return(HostGate gate, TimeSpan? delayAfterEnd)
    {
        if (delayAfterEnd is { } delay)
        {
            lock (gate)
            {
                var earliest = _clock.GetUtcNow() + delay;
                gate.NextStart = gate.NextStart > earliest ? gate.NextStart : earliest;
            }

            gate.Serial.Release();
        }

        _global.Release();
        gate.Slots.Release();
    }

    private sealed class HostGate(int slots)
    {
        public SemaphoreSlim Slots { get; } = new(slots, slots);

        /// <summary>One request at a time for hosts with a Crawl-delay.</summary>
        public SemaphoreSlim Serial { get; } = new(1, 1);

        public DateTimeOffset NextStart { get; set; }
    }

    private sealed class Release(HostThrottle owner, HostGate gate, TimeSpan? delayAfterEnd) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Return(gate, delayAfterEnd);
            }
        }
    }
}
