using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Group commit on a writer thread of its own. SQLite takes one writer at a time, and a crawl makes a write or two per
/// page from many pages at once. Given a transaction each, behind a lock, every hand-over went through the thread
/// pool's queue, behind pages being parsed: a page spent most of its time waiting for the store while the CPU was
/// not busy. Instead one thread, which the OS schedules beside the pool's, takes every write queued so far, runs each
/// in a savepoint of its own inside one IMMEDIATE transaction, and commits once. A write that throws is rolled back
/// to its savepoint alone and its caller gets the exception; the others commit. Callers learn their result only
/// after the commit, so nothing is reported that a crash could still undo.
/// </summary>
public sealed partial class SqliteCrawlStore
{
    /// <summary>Enough to take what a crawl queues while one batch commits, small enough to keep each batch short.</summary>
    private const int MaxBatch = 128;

    private readonly WriteQueue _writes = new();
    private readonly Thread _writer;

    private interface IWrite
    {
        CancellationToken CancellationToken { get; }

        Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        void Succeed();

        void Fail(Exception exception);
    }

    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var write = new Write<T>(work, cancellationToken);
        if (!_writes.TryAdd(write))
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteCrawlStore), "The store was disposed; it takes no more writes."));
        }

        // A caller that stopped waiting would not know whether its write happened: it waits for the outcome instead,
        // and a write cancelled before the writer reaches it is not run at all.
        return write.Completion;
    }

    private Thread StartWriter()
    {
        var thread = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-writer" };
        thread.Start();
        return thread;
    }

    private void WriteLoop()
    {
        var batch = new List<IWrite>(MaxBatch);
        try
        {
            WriteBatches(batch);
        }
        finally
        {
            WriterStatements.Close();
        }
    }

    private void WriteBatches(List<IWrite> batch)
    {
        while (_writes.TakeBatch(batch, MaxBatch))
        {
            batch.RemoveAll(FailIfCanceled);
            if (batch.Count > 0)
            {
                try
                {
                    CommitBatch(batch);
                }
                catch (Exception ex)
                {
                    // CommitBatch settles every write itself; this is the last guard, so the writer never dies with
                    // callers left waiting forever
                    foreach (var pending in batch)
                    {
                        pending.Fail(ex);
                    }
                }
            }

            batch.Clear();
        }

        // a write canceled before the writer reached it is not run at all
        static bool FailIfCanceled(IWrite write)
        {
            if (!write.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            write.Fail(new OperationCanceledException(write.CancellationToken));
            return true;
        }
    }

    /// <summary>
    /// Synchronous on the writer thread: Microsoft.Data.Sqlite's async methods complete synchronously, so waiting on
    /// them here blocks nothing but this thread.
    /// </summary>
    private void CommitBatch(List<IWrite> batch)
    {
        var failures = new Exception?[batch.Count];
        try
        {
            var connection = WriterStatements.Connection ?? OpenWriter();
            RestartWalIfWanted(connection);
            // IMMEDIATE: take the write lock up front, so writers of two processes queue on busy_timeout instead of
            // deadlocking on a read-to-write upgrade.
            using var tx = BeginAsync(connection, CancellationToken.None).GetAwaiter().GetResult();
            for (var i = 0; i < batch.Count; i++)
            {
                ExecuteAsync(connection, tx, "SAVEPOINT write;", CancellationToken.None).GetAwaiter().GetResult();
                try
                {
                    batch[i].RunAsync(connection, tx).GetAwaiter().GetResult();
                }
                catch (SqliteException ex) when (IsUnavailable(ex))
                {
                    // a full disk or a lost file: SQLite may have rolled back the whole transaction already
                    throw;
                }
                catch (Exception ex)
                {
                    failures[i] = ex;
                    try
                    {
                        ExecuteAsync(connection, tx, "ROLLBACK TO write;", CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (SqliteException)
                    {
                        // SQLite rolled the whole transaction back by itself (out of memory, interrupted): the batch
                        // fails, with the cause rather than the missing savepoint
                        throw new StoreUnavailableException($"The SQLite store at {DatabasePath} rolled back a batch of writes: {ex.Message}", ex);
                    }
                }

                ExecuteAsync(connection, tx, "RELEASE write;", CancellationToken.None).GetAwaiter().GetResult();
            }

            tx.Commit();
            _committed.Set();
        }
        catch (Exception ex)
        {
            // Nothing of the batch was committed: every write in it failed. The next batch starts on a new connection,
            // in case this one is what broke (a deleted or unreadable file).
            try
            {
                WriterStatements.Close();
            }
            catch (Exception closing)
            {
                _logger.LogWarning(closing, "Closing the SQLite writer connection after a failed batch failed too");
            }

            var failure = ex is SqliteException sqlite && IsUnavailable(sqlite)
                ? new StoreUnavailableException($"The SQLite store at {DatabasePath} cannot take writes: {sqlite.Message}", sqlite)
                : ex;
            foreach (var write in batch)
            {
                write.Fail(failure);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Fail(failure);
            }
            else
            {
                batch[i].Succeed();
            }
        }
    }

    private SqliteConnection OpenWriter()
    {
        var connection = WriterStatements.Open(OpenAsync(CancellationToken.None, _writerConnectionString).GetAwaiter().GetResult());
        // temp_store=MEMORY: the savepoints' statement journal, otherwise a temporary file under /var/tmp that took more
        // pwrite calls than the WAL itself, on whatever disk that is.
        ExecuteAsync(connection, null, $"PRAGMA wal_autocheckpoint={WriterAutoCheckpointPages}; PRAGMA temp_store=MEMORY;", CancellationToken.None).GetAwaiter().GetResult();
        return connection;
    }

    /// <summary>
    /// The writer thread's own connection, kept open, and its statements, prepared once: parsing and planning every
    /// statement anew for every write was about a tenth of the writer's time. Only the writer thread sees them
    /// (thread-static), so <see cref="Command"/> hands out a cached command only for work running in a batch.
    /// </summary>
    private static class WriterStatements
    {
        /// <summary>The store writes with a few dozen fixed statements; anything beyond this is not kept.</summary>
        private const int MaxCached = 256;

        [ThreadStatic]
        private static SqliteConnection? t_connection;

        [ThreadStatic]
        private static Dictionary<string, CachedCommand>? t_commands;

        public static SqliteConnection? Connection => t_connection;

        public static SqliteConnection Open(SqliteConnection connection)
        {
            t_connection = connection;
            t_commands = new Dictionary<string, CachedCommand>(StringComparer.Ordinal);
            return connection;
        }

        public static SqliteCommand? For(SqliteConnection connection, string sql)
        {
            if (t_commands is not { } commands || !ReferenceEquals(connection, t_connection))
            {
                return null;
            }

            if (commands.TryGetValue(sql, out var cached))
            {
                if (cached.InUse)
                {
                    // the same statement again while an outer frame still holds it: a fresh one, not the outer's
                    return null;
                }

                cached.Parameters.Clear();
                cached.InUse = true;
                return cached;
            }

            if (commands.Count >= MaxCached)
            {
                return null;
            }

            cached = new CachedCommand { Connection = connection, InUse = true };
            commands[sql] = cached;
            return cached;
        }

        public static void Close()
        {
            foreach (var command in t_commands?.Values ?? Enumerable.Empty<CachedCommand>())
            {
                command.Release();
            }

            t_commands = null;
            t_connection?.Dispose();
            t_connection = null;
        }
    }

    /// <summary>A prepared command that outlives the <c>using</c> of the code that runs it; released with its connection.</summary>
    private sealed class CachedCommand : SqliteCommand
    {
        private bool _released;

        /// <summary>Handed out and not yet disposed by the code that runs it.</summary>
        public bool InUse { get; set; }

        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            InUse = false;
            if (_released)
            {
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>
    /// The writes waiting for the writer thread, which sleeps in the kernel while there are none. BlockingCollection
    /// spun first on every wait (SemaphoreSlim: 35 rounds, most of them a sched_yield): 12,700 yields in a 3,211-page
    /// crawl, CPU taken from the pages being parsed on a machine whose cores are all busy.
    /// </summary>
    private sealed class WriteQueue
    {
        private readonly Queue<IWrite> _items = new();
        private bool _completed;

        /// <summary>False once <see cref="Complete"/> was called: the write is not queued.</summary>
        public bool TryAdd(IWrite write)
        {
            lock (_items)
            {
                if (_completed)
                {
                    return false;
                }

                _items.Enqueue(write);
                if (_items.Count == 1)
                {
                    // the one consumer, the writer thread, waits only on an empty queue: a second would need PulseAll
                    Monitor.Pulse(_items);
                }
            }

            return true;
        }

        /// <summary>Waits for writes and moves up to <paramref name="max"/> of them into an empty list; false once completed and empty.</summary>
        public bool TakeBatch(List<IWrite> into, int max)
        {
            lock (_items)
            {
                while (_items.Count == 0)
                {
                    if (_completed)
                    {
                        return false;
                    }

                    Monitor.Wait(_items);
                }

                while (into.Count < max && _items.TryDequeue(out var write))
                {
                    into.Add(write);
                }

                return true;
            }
        }

        /// <summary>Takes no more writes; those queued are still taken.</summary>
        public void Complete()
        {
            lock (_items)
            {
                _completed = true;
                Monitor.PulseAll(_items);
            }
        }
    }

    private sealed class Write<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) : IWrite
    {
        // continuations run on the pool, never on the writer thread, which would otherwise stall behind its callers
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Completion => _completion.Task;

        public CancellationToken CancellationToken => cancellationToken;

        public async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) => _result = await work(connection, transaction);

        public void Succeed() => _completion.TrySetResult(_result);

        public void Fail(Exception exception)
        {
            if (exception is OperationCanceledException canceled)
            {
                _completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                _completion.TrySetException(exception);
            }
        }
    }
}
