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
    /// The writer checkpoints by itself when the WAL passes this many pages (64 MiB of 4 KiB pages): a backstop for when
    /// the WAL does not start over (<see cref="DefaultWalRestartPages"/>), because the checkpointer fails or a reader of
    /// another process holds an old snapshot. Its checkpoint syncs the WAL and the database on the writer thread while
    /// every write waits, 10 to 50 ms each on the benchmark machine's disk.
    /// </summary>
    private const int WriterAutoCheckpointPages = 16384;

    /// <summary>
    /// Past this many pages of WAL (32 MiB) the WAL starts over from its beginning. Only a write that begins when every
    /// frame has been copied to the database does that, and the checkpointer's copies alone seldom get there while
    /// writes keep coming (only a pass that ends between two commits copies everything). So once a pass of the
    /// checkpointer leaves the WAL this long, the writer copies the few frames committed since, between two batches
    /// (<see cref="RestartWalIfWanted"/>), and its next commit starts the WAL over. That copy syncs only what was
    /// written during the checkpointer's pass, a few milliseconds; left to the writer's own checkpoint
    /// (<see cref="WriterAutoCheckpointPages"/>) every write waited while the writes of up to 250 ms were synced.
    /// </summary>
    internal const int DefaultWalRestartPages = 8192;

    /// <summary>
    /// Each pass costs two fsyncs (the WAL's, by SQLite, and the database's, here); more often than this buys nothing
    /// but I/O.
    /// </summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly int _walRestartPages;

    /// <summary>Set by the checkpointer, cleared by the writer once it has copied the rest; no pass runs in between.</summary>
    private volatile bool _walRestartWanted;

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
        var copiedBefore = 0;
        var syncing = true;
        WaitHandle[] wake = [_committed, _stopCheckpoints];
        try
        {
            while (WaitHandle.WaitAny(wake) == 0)
            {
                try
                {
                    if (!_walRestartWanted)
                    {
                        connection ??= OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
                        var (walPages, copied) = CheckpointPassive(connection);
                        // the count is of all the frames copied since the WAL started over
                        if (copied > 0 && copied != copiedBefore && syncing)
                        {
                            // SQLite syncs the database file only after a checkpoint that copied the whole WAL: passes
                            // here, which copy all but the commits made meanwhile, leave what they wrote unsynced, and the
                            // writer's pass before the WAL starts over synced all of it while every write waited, 24 to
                            // 41 ms at a time on the benchmark machine's disk. Synced here, it leaves that pass a few ms.
                            syncing = TrySyncDatabaseFile(connection);
                            copiedBefore = copied;
                        }

                        _walRestartWanted = walPages >= _walRestartPages;
                    }

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

    /// <summary>
    /// False when the SQLite library loaded is not the bundled one that <see cref="SqliteFileSync"/> calls into: then
    /// SQLite's own syncs are all there are, and the writer's pass before the WAL starts over syncs more.
    /// </summary>
    private bool TrySyncDatabaseFile(SqliteConnection connection)
    {
        try
        {
            SqliteFileSync.SyncDatabaseFile(connection);
            return true;
        }
        catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            _logger.LogWarning(ex, "Syncing {Path} after each checkpoint is off: the bundled SQLite library is not the one loaded", DatabasePath);
            return false;
        }
    }

    /// <summary>A PASSIVE checkpoint: copies what it can without waiting for the writer or readers.</summary>
    private static (int WalPages, int Copied) CheckpointPassive(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        // one row: busy, frames in the WAL, frames copied into the database (-1 for both when not in WAL mode)
        return reader.Read() ? (reader.GetInt32(1), reader.GetInt32(2)) : (0, 0);
    }

    /// <summary>
    /// On the writer thread, between batches: copies the frames committed since the checkpointer's last pass, so the
    /// next write finds the WAL fully copied and starts it over. Not done if a reader still needs the old frames; the
    /// checkpointer asks again after its next pass.
    /// </summary>
    private void RestartWalIfWanted(SqliteConnection connection)
    {
        if (!_walRestartWanted)
        {
            return;
        }

        try
        {
            CheckpointPassive(connection);
        }
        catch (Exception ex)
        {
            // not a failed write: the batch that follows reports whatever is wrong with the file
            _logger.LogWarning(ex, "Copying the SQLite WAL of {Path} before starting it over failed", DatabasePath);
        }
        finally
        {
            _walRestartWanted = false;
        }
    }
}
