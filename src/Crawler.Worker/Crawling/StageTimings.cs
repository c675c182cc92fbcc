using System.Diagnostics;

namespace Crawler.Worker.Crawling;

/// <summary>
/// Time spent per pipeline stage in one run, summed over pages processed concurrently, so the summary shows which
/// stage limits the crawl. Thread-safe: pages record into it in parallel. Extract and dedupe are mostly CPU work, and
/// wait only for a free core (dedupe: building the snapshot, which is mostly its content hash and SimHash fingerprint,
/// plus, for a source that skips near duplicates, the store read that looks for one; the store matches the hash and
/// fingerprint again inside its transaction). Fetch and store are mostly waiting, for the network, the store's writer
/// and a core: the summary's process CPU line says which of them the crawl was really short of.
/// </summary>
public sealed class StageTimings
{
    private long _fetch;
    private long _extract;
    private long _dedupe;
    private long _store;

    public TimeSpan Fetch => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _fetch));

    public TimeSpan Extract => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _extract));

    public TimeSpan Dedupe => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _dedupe));

    public TimeSpan Store => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _store));

    public async Task<T> TimeFetchAsync<T>(Func<Task<T>> work) => await TimeAsync(work, s => Interlocked.Add(ref _fetch, s));

    public async Task<T> TimeStoreAsync<T>(Func<Task<T>> work) => await TimeAsync(work, s => Interlocked.Add(ref _store, s));

    public async Task<T> TimeDedupeAsync<T>(Func<Task<T>> work) => await TimeAsync(work, s => Interlocked.Add(ref _dedupe, s));

    public async Task TimeStoreAsync(Func<Task> work)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await work();
        }
        finally
        {
            Interlocked.Add(ref _store, Stopwatch.GetTimestamp() - start);
        }
    }

    public T TimeExtract<T>(Func<T> work) => Time(work, ref _extract);

    public T TimeDedupe<T>(Func<T> work) => Time(work, ref _dedupe);

    public override string ToString() =>
        FormattableString.Invariant($"fetch {Fetch.TotalSeconds:0.0} s, extract {Extract.TotalSeconds:0.00} s, dedupe {Dedupe.TotalSeconds:0.00} s, store {Store.TotalSeconds:0.00} s");

    private static T Time<T>(Func<T> work, ref long total)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        finally
        {
            Interlocked.Add(ref total, Stopwatch.GetTimestamp() - start);
        }
    }

    private static async Task<T> TimeAsync<T>(Func<Task<T>> work, Action<long> add)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await work();
        }
        finally
        {
            add(Stopwatch.GetTimestamp() - start);
        }
    }
}
