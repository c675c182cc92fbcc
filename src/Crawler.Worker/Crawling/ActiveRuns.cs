using System.Collections.Concurrent;

namespace Crawler.Worker.Crawling;

/// <summary>Runs this process is working on right now, so it does not start a second loop over the same run.</summary>
public sealed class ActiveRuns
{
    private readonly ConcurrentDictionary<long, int> _loops = new();

    public bool Contains(long runId) => _loops.ContainsKey(runId);

    public IDisposable Enter(long runId)
    {
        _loops.AddOrUpdate(runId, 1, (_, n) => n + 1);
        return new Exit(this, runId);
    }

    private sealed class Exit(ActiveRuns owner, long runId) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                // remove the entry only if this was its last loop
                if (owner._loops.AddOrUpdate(runId, 0, (_, n) => n - 1) <= 0)
                {
                    owner._loops.TryRemove(KeyValuePair.Create(runId, 0));
                }
            }
        }
    }
}
