using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// WAL checkpoints on a thread of their own. A checkpoint copies the WAL into the database file and syncs both: left
/// to SQLite, the connection whose commit crossed the threshold runs it, so every few hundred writes the one writer
/// thread stopped for two fsyncs (8 ms each on the benchmark machine, 12% of a crawl's wall time) while every page
/// waited for it. Here a second connection runs PASSIVE checkpoints after commits, at most a few times a second; they
/// never block the writer, which goes on appending to the WAL meanwhile.
/// </summary>
public sealed partial class SqliteCrawlStore
{
    /// <summary>
    /// The writer checkpoints by itself when the WAL passes this many pages (64 MiB of 4 KiB pages). Most of the WAL is
    /// copied by then, so the writer's checkpoint is short; and only a checkpoint that copies everything lets the next
    /// write start the WAL over, which the checkpointer's alone rarely do while writes keep coming. But it still syncs
    /// the WAL and the database on the writer thread, 10 to 50 ms each on the benchmark machine's disk, while every
    /// write waits: at 16 MiB that was 11 times in a 3,211-page crawl (31 fsyncs on the writer), at 64 MiB 3 times
    /// (7 fsyncs), and the crawl took 2.97 against 3.24 s (medians of 5, in turn). Every page read looks the page up in
    /// the WAL's index, one hash table per 4,096 pages, so a WAL much longer would make reads dearer; and the WAL file
    /// keeps its largest size until the store closes.
    /// </summary>
    private const int WriterAutoCheckpointPages = 16384;

    /// <summary>Each checkpoint costs two fsyncs; more often than this buys nothing but I/O.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly AutoResetEvent _committed = new(false);
    private readonly ManualResetEvent _stopCheckpoints = new(false);
    private Thread? _checkpointer;

    private void StartCheckpointer()
    {
        _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "sqlite-checkpoint" };
        _checkpointer.Start();
    }

    /// <summary>The events outlive a writer still running (it signals after its commits), so they are kept then.</summary>
    private void StopCheckpointer(bool writerDone)
    {
        _stopCheckpoints.Set();
        if (_checkpointer?.Join(TimeSpan.FromSeconds(10)) != false && writerDone)
        {
            _committed.Dispose();
            _stopCheckpoints.Dispose();
        }
    }

    private void CheckpointLoop()
    {
        SqliteConnection? connection = null;
        var failing = false;
        WaitHandle[] wake = [_committed, _stopCheckpoints];
        try
        {
            while (WaitHandle.WaitAny(wake) == 0)
            {
                try
                {
                    connection ??= OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
                    ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(PASSIVE);", CancellationToken.None).GetAwaiter().GetResult();
                    failing = false;
                }
                catch (Exception ex)
                {
                    // Any exception: one escaping this thread would end the process, and none of a checkpoint's is worth
                    // that. The writer's own checkpoints past WriterAutoCheckpointPages take over; said once, not every 250 ms.
                    if (!failing)
                    {
                        _logger.LogWarning(ex, "Checkpointing the SQLite WAL of {Path} failed; will try again after the next commit", DatabasePath);
                    }

                    failing = true;
                    if (connection is not null)
                    {
                        // not back into the pool: the next open gets a fresh handle
                        SqliteConnection.ClearPool(connection);
                        connection.Dispose();
                        connection = null;
                    }
                }

                if (_stopCheckpoints.WaitOne(CheckpointInterval))
                {
                    break;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
