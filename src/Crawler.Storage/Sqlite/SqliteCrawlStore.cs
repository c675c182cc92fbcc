using System.Data;
using System.Globalization;
using System.Text.Json;
using Crawler.Storage.Archive;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Frontier;
using Crawler.Storage.Runs;
using Crawler.Storage.Snapshots;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Every state change is atomic: the changes of one process are
/// committed in groups, each change in a savepoint of its own (see <c>SqliteCrawlStore.GroupCommit.cs</c>), so a
/// crash (or a full disk) leaves the previous consistent state and never a half-written page.
/// </summary>
public sealed partial class SqliteCrawlStore : ICrawlStore, IDisposable
{
    private readonly string _connectionString;

    /// <summary>
    /// The writer's, not pooled: its connection lives as long as the store, and its pragmas (temp_store in memory, its
    /// own checkpoint threshold) must not pass to a reader that would take it from the pool after a failed batch.
    /// </summary>
    private readonly string _writerConnectionString;
    private readonly int _busyTimeoutMs;
    private readonly ILogger<SqliteCrawlStore> _logger;
    private int _disposed;

    public SqliteCrawlStore(SqliteStoreOptions options, ILogger<SqliteCrawlStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        DatabasePath = System.IO.Path.GetFullPath(options.Path);
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
        _walRestartPages = options.WalRestartPages;
        _logger = logger ?? NullLogger<SqliteCrawlStore>.Instance;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _writer = StartWriter();
        StartCheckpointer();
    }

    public string DatabasePath { get; }

    /// <summary>Takes no more writes, and waits a little for those already queued to be committed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _writes.Complete();
        StopCheckpointer(_writer.Join(TimeSpan.FromSeconds(10)));
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var folder = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await OpenAsync(cancellationToken);
        // WAL is a property of the file: set once, it lets readers (--show) work while a crawl writes.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);", cancellationToken);

        await using var tx = await BeginAsync(connection, cancellationToken);
        var applied = new HashSet<int>();
        await using (var read = Command(connection, tx, "SELECT version FROM schema_migrations;"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        // every migration not yet applied, not only those above the highest: branches may land in either order
        foreach (var (version, name, sql) in SqliteSchema.Migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            _logger.LogInformation("Applying store migration {Version} ({Name}) to {Path}", version, name, DatabasePath);
            await ExecuteAsync(connection, tx, sql, cancellationToken);
            await ExecuteAsync(connection, tx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($v, $n, $t);", cancellationToken,
                ("$v", version), ("$n", name), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        }

        await tx.CommitAsync(cancellationToken);
    }

    public Task<CrawlRun> StartOrResumeRunAsync(string source, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var find = Command(c, tx, "SELECT id, started_at FROM crawl_runs WHERE source = $s AND finished_at IS NULL;", ("$s", source)))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    return new CrawlRun(reader.GetInt64(0), source, FromMs(reader.GetInt64(1)), Resumed: true);
                }
            }

            var id = (long)(await ScalarAsync(c, tx, "INSERT INTO crawl_runs(source, started_at) VALUES ($s, $t) RETURNING id;", cancellationToken,
                ("$s", source), ("$t", Ms(now))))!;
            return new CrawlRun(id, source, now, Resumed: false);
        }, cancellationToken);

    public Task FinishRunAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, "UPDATE crawl_runs SET finished_at = $t WHERE id = $id AND finished_at IS NULL;", cancellationToken,
                ("$t", Ms(now)), ("$id", runId));
            return 0;
        }, cancellationToken);

    public async Task<IReadOnlyList<CrawlRun>> GetUnfinishedRunsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT id, source, started_at FROM crawl_runs WHERE finished_at IS NULL ORDER BY id;");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var runs = new List<CrawlRun>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new CrawlRun(reader.GetInt64(0), reader.GetString(1), FromMs(reader.GetInt64(2)), Resumed: true));
        }

        return runs;
    }

    public async Task<RunTally> GetRunTallyAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT state, COALESCE(outcome, ''), COUNT(*), SUM(retried) FROM frontier WHERE run_id = $r GROUP BY state, outcome;
            """, ("$r", runId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int queued = 0, retried = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var n = reader.GetInt32(2);
            var key = reader.GetString(0) == nameof(FrontierState.Done) ? reader.GetString(1) : reader.GetString(0);
            counts[key] = counts.GetValueOrDefault(key) + n;
            queued += n;
            retried += reader.IsDBNull(3) ? 0 : reader.GetInt32(3);
        }

        int Get(string k) => counts.GetValueOrDefault(k);
        return new RunTally(
            Queued: queued,
            Pending: Get(nameof(FrontierState.Pending)),
            Leased: Get(nameof(FrontierState.Leased)),
            Listed: Get(nameof(PageOutcome.Listed)),
            Snapshots: Get(nameof(PageOutcome.Snapshot)),
            Unchanged: Get(nameof(PageOutcome.Unchanged)),
            Duplicates: Get(nameof(PageOutcome.Duplicate)),
            NotArticles: Get(nameof(PageOutcome.NotArticle)),
            Skipped: Get(nameof(PageOutcome.Skipped)),
            DeadLettered: Get(nameof(FrontierState.Dead)),
            Retried: retried);
    }

    public Task<int> EnqueueAsync(
        long runId,
        string source,
        IReadOnlyCollection<FrontierRequest> requests,
        int maxPages,
        TimeSpan deadLetterRetryAfter,
        DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0)
        {
            return Task.FromResult(0);
        }

        return WriteAsync(async (c, tx) =>
        {
            var queued = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT queued FROM crawl_runs WHERE id = $r;", cancellationToken, ("$r", runId)), CultureInfo.InvariantCulture);
            var takenDown = await TakedownPatternsAsync(c, tx, cancellationToken);
            var added = 0;
            // The row of a URL is reused across runs: queued again when done (or dead long enough) in an earlier
            // run, left alone when this run already has it; so a URL is fetched at most once per run.
            await using var upsert = Command(c, tx, """
                INSERT INTO frontier(source, url, host, run_id, kind, depth, state, next_attempt_at, discovered_from, enqueued_at, updated_at)
                VALUES ($s, $u, $h, $r, $k, $d, 'Pending', $now, $from, $now, $now)
                ON CONFLICT(source, url) DO UPDATE SET
                    run_id = excluded.run_id, kind = excluded.kind, depth = excluded.depth, state = 'Pending',
                    attempts = 0, retried = 0, next_attempt_at = excluded.next_attempt_at, lease_owner = NULL,
                    lease_until = NULL, last_error = NULL, outcome = NULL, note = NULL,
                    discovered_from = excluded.discovered_from, enqueued_at = excluded.enqueued_at, updated_at = excluded.updated_at
                WHERE frontier.run_id <> excluded.run_id
                  -- a sitemap or feed says the page has not changed since we last fetched it whole
                  AND NOT (frontier.state = 'Done' AND $lastmod IS NOT NULL AND frontier.fetched_at IS NOT NULL AND frontier.fetched_at >= $lastmod)
                  AND (frontier.state IN ('Done', 'Pending')
                       OR (frontier.state = 'Leased' AND frontier.lease_until < $now)
                       OR (frontier.state = 'Dead' AND frontier.updated_at <= $deadBefore));
                """,
                ("$s", source), ("$u", ""), ("$h", ""), ("$r", runId), ("$k", ""), ("$d", 0), ("$now", Ms(now)), ("$from", DBNull.Value), ("$lastmod", DBNull.Value),
                ("$deadBefore", Ms(now - deadLetterRetryAfter)));
            foreach (var request in requests)
            {
                if (queued + added >= maxPages)
                {
                    break;
                }

                if (TakedownPattern.AnyMatches(takenDown, request.Url))
                {
                    continue;
                }

                upsert.Parameters["$u"].Value = request.Url;
                upsert.Parameters["$h"].Value = request.Host;
                upsert.Parameters["$lastmod"].Value = request.LastModified is { } lastmod ? Ms(lastmod) : DBNull.Value;
                upsert.Parameters["$k"].Value = request.Kind.ToString();
                upsert.Parameters["$d"].Value = request.Depth;
                upsert.Parameters["$from"].Value = (object?)request.DiscoveredFrom ?? DBNull.Value;
                added += await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (added > 0)
            {
                await ExecuteAsync(c, tx, "UPDATE crawl_runs SET queued = queued + $n WHERE id = $r;", cancellationToken, ("$n", added), ("$r", runId));
            }

            return added;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<FrontierLease>> ClaimAsync(
        long runId,
        int max,
        string owner,
        TimeSpan leaseFor,
        DateTimeOffset now,
        IReadOnlyCollection<string>? busyHosts = null,
        TimeSpan hostInterval = default,
        CancellationToken cancellationToken = default) =>
        WriteAsync<IReadOnlyList<FrontierLease>>(async (c, tx) =>
        {
            var until = now + leaseFor;
            // Seeds and shallow pages first (breadth first), then the oldest due. Expired leases (few) and due pages
            // (up to the whole run) are two arms, each read in claim order from ix_frontier_due and merged, so a
            // claim reads about $max index entries however long the queue is. The limit is an expression, not a bare
            // parameter: SQLite (3.53) plans with a bare LIMIT parameter's value, so every binding made it compile
            // the statement again (sqlite3_stmt_status REPREPARE), 5% of the writer's time in a crawl.
            await using var cmd = Command(c, tx, """
                UPDATE frontier SET state = 'Leased', lease_owner = $o, lease_until = $until, updated_at = $now
                WHERE id IN (
                    SELECT id FROM (
                        SELECT id, depth, next_attempt_at FROM frontier
                        WHERE run_id = $r AND state = 'Leased' AND lease_until < $now
                          AND host NOT IN (SELECT value FROM json_each($busy))
                        UNION ALL
                        SELECT id, depth, next_attempt_at FROM frontier INDEXED BY ix_frontier_due
                        WHERE run_id = $r AND state = 'Pending' AND next_attempt_at <= $now
                          AND host NOT IN (SELECT value FROM json_each($busy))
                        ORDER BY 2, 3, 1
                        LIMIT CAST($max AS INTEGER)))
                RETURNING id, source, url, kind, depth, attempts, etag, last_modified;
                """,
                ("$o", owner), ("$until", Ms(until)), ("$now", Ms(now)), ("$r", runId), ("$max", max),
                ("$busy", JsonSerializer.Serialize(busyHosts ?? [], StoreJson.Columns.IReadOnlyCollectionString)));
            var leases = new List<FrontierLease>();
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var validators = new HttpValidators(reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
                    leases.Add(new FrontierLease(
                        reader.GetInt64(0), runId, reader.GetString(1), reader.GetString(2),
                        Enum.Parse<PageKind>(reader.GetString(3)), reader.GetInt32(4), reader.GetInt32(5), owner, until)
                    {
                        Validators = validators.IsEmpty ? null : validators,
                    });
                }
            }

            // queued before the takedown: settled here, so the page is never fetched
            var takenDown = await TakedownPatternsAsync(c, tx, cancellationToken);
            foreach (var lease in leases.Where(l => TakedownPattern.AnyMatches(takenDown, l.Url)).ToList())
            {
                await SettleAsync(c, tx, lease, PageOutcome.Skipped, TakenDownNote, now, cancellationToken);
                leases.Remove(lease);
            }

            return leases.OrderBy(l => l.Depth).ThenBy(l => l.Id).ToList();
        }, cancellationToken);

    public async Task<DateTimeOffset?> GetNextDueAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var value = await ScalarAsync(c, null, """
            SELECT MIN(CASE state WHEN 'Pending' THEN next_attempt_at ELSE lease_until END)
            FROM frontier WHERE run_id = $r AND state IN ('Pending', 'Leased');
            """, cancellationToken, ("$r", runId));
        return value is long ms ? FromMs(ms) : null;
    }

    public Task ReleaseAsync(FrontierLease lease, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                UPDATE frontier SET state = 'Pending', lease_owner = NULL, lease_until = NULL
                WHERE id = $id AND state = 'Leased' AND lease_owner = $o;
                """, cancellationToken, ("$id", lease.Id), ("$o", lease.Owner));
            return 0;
        }, cancellationToken);

    public Task DeferAsync(FrontierLease lease, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                UPDATE frontier SET state = 'Pending', next_attempt_at = $until, note = $why, lease_owner = NULL, lease_until = NULL
                WHERE id = $id AND state = 'Leased' AND lease_owner = $o;
                """, cancellationToken, ("$until", Ms(until)), ("$why", reason), ("$id", lease.Id), ("$o", lease.Owner));
            return 0;
        }, cancellationToken);

    public Task<int> ReleaseLeasesOfAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            var released = 0;
            foreach (var owner in owners)
            {
                released += await ExecuteAsync(c, tx, """
                    UPDATE frontier SET state = 'Pending', lease_owner = NULL, lease_until = NULL
                    WHERE state = 'Leased' AND lease_owner = $o;
                    """, cancellationToken, ("$o", owner));
            }

            return released;
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> GetLeaseOwnersAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT DISTINCT lease_owner FROM frontier WHERE state = 'Leased' AND lease_owner IS NOT NULL;");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var owners = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            owners.Add(reader.GetString(0));
        }

        return owners;
    }

    public Task<FailureResult> RecordFailureAsync(
        FrontierLease lease,
        string error,
        RetryPolicy policy,
        DateTimeOffset? notBefore,
        DateTimeOffset now,
        CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            var attempts = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT attempts FROM frontier WHERE id = $id;", cancellationToken, ("$id", lease.Id)), CultureInfo.InvariantCulture) + 1;
            if (attempts >= policy.MaxAttempts)
            {
                await ExecuteAsync(c, tx, """
                    UPDATE frontier SET state = 'Dead', attempts = $a, last_error = $e, lease_owner = NULL, lease_until = NULL, updated_at = $now
                    WHERE id = $id;
                    """, cancellationToken, ("$a", attempts), ("$e", error), ("$now", Ms(now)), ("$id", lease.Id));
                return new FailureResult(FailureDisposition.DeadLettered, attempts, null);
            }

            var next = now + policy.DelayAfter(attempts);
            if (notBefore is { } nb && nb > next)
            {
                next = nb;
            }

            await ExecuteAsync(c, tx, """
                UPDATE frontier SET state = 'Pending', attempts = $a, retried = retried + 1, last_error = $e, next_attempt_at = $next,
                    lease_owner = NULL, lease_until = NULL, updated_at = $now
                WHERE id = $id;
                """, cancellationToken, ("$a", attempts), ("$e", error), ("$next", Ms(next)), ("$now", Ms(now)), ("$id", lease.Id));
            return new FailureResult(FailureDisposition.RetryScheduled, attempts, next);
        }, cancellationToken);

    public Task CompleteAsync(FrontierLease lease, PageOutcome outcome, string? note, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await SettleAsync(c, tx, lease, outcome, note, now, cancellationToken);
            return 0;
        }, cancellationToken);

    public Task<SnapshotWriteResult> SaveSnapshotAsync(Snapshot snapshot, FrontierLease? lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (string.IsNullOrWhiteSpace(snapshot.OriginalUrl))
        {
            throw new ArgumentException("A snapshot must carry the URL it was fetched from.", nameof(snapshot));
        }

        // serialized and compressed here, in parallel with other pages, not on the one writer thread
        var encoded = EncodedSnapshot.Of(snapshot);
        return WriteAsync(async (c, tx) =>
        {
            var result = await WriteSnapshotAsync(c, tx, snapshot, encoded, now, cancellationToken);
            if (lease is not null)
            {
                var outcome = result.Outcome switch
                {
                    SnapshotWriteOutcome.Created => PageOutcome.Snapshot,
                    SnapshotWriteOutcome.Unchanged => PageOutcome.Unchanged,
                    _ => PageOutcome.Duplicate,
                };
                await SettleAsync(c, tx, lease, outcome, $"snapshot {result.SnapshotId}", now, cancellationToken);
            }

            return result;
        }, cancellationToken);
    }

    public async Task<Snapshot?> GetSnapshotAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadSnapshotAsync(c, "WHERE id = $x", id, cancellationToken);
    }

    public async Task<Snapshot?> GetLatestSnapshotAsync(string canonicalUrl, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var id = await ScalarAsync(c, null, "SELECT COALESCE(latest_snapshot_id, duplicate_of, near_duplicate_of) FROM pages WHERE canonical_url = $u;", cancellationToken, ("$u", canonicalUrl));
        if (id is long snapshotId)
        {
            return await ReadSnapshotAsync(c, "WHERE id = $x", snapshotId, cancellationToken);
        }

        // a URL that redirected or was typed as fetched rather than canonical
        return await ReadSnapshotAsync(c, "WHERE original_url = $x OR final_url = $x ORDER BY id DESC LIMIT 1", canonicalUrl, cancellationToken);
    }

    public async Task<IReadOnlyList<SnapshotVersion>> GetVersionsAsync(string canonicalUrl, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT id, version, generated_at, content_hash, title FROM snapshots WHERE canonical_url = $u ORDER BY version;", ("$u", canonicalUrl));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var versions = new List<SnapshotVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new SnapshotVersion(reader.GetInt64(0), reader.GetInt32(1), FromMs(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4)));
        }

        return versions;
    }

    public async Task<IReadOnlyList<FrontierFailure>> GetFailuresAsync(long? runId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT source, url, state, attempts, last_error, updated_at FROM frontier
            WHERE last_error IS NOT NULL AND state IN ('Dead', 'Pending') AND ($r IS NULL OR run_id = $r)
            ORDER BY state, updated_at DESC LIMIT 1000;
            """, ("$r", (object?)runId ?? DBNull.Value));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var failures = new List<FrontierFailure>();
        while (await reader.ReadAsync(cancellationToken))
        {
            failures.Add(new FrontierFailure(reader.GetString(0), reader.GetString(1), Enum.Parse<FrontierState>(reader.GetString(2)),
                reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), FromMs(reader.GetInt64(5))));
        }

        return failures;
    }

    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT
                (SELECT COUNT(*) FROM frontier f JOIN crawl_runs r ON r.id = f.run_id WHERE r.finished_at IS NULL AND f.state IN ('Pending', 'Leased')),
                (SELECT COUNT(*) FROM frontier WHERE state = 'Dead'),
                (SELECT COUNT(*) FROM snapshots);
            """);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return new StoreStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    public Task<Takedown> TakeDownAsync(string pattern, string reason, string requestedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var match = new TakedownPattern(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        return WriteAsync(async (c, tx) =>
        {
            // an exact URL uses the indexes; a pattern reads every snapshot's URLs once (takedowns are rare)
            var doomed = (await ReadAllAsync(c, tx, match.IsExact
                    ? "SELECT id, canonical_url, original_url, final_url FROM snapshots WHERE canonical_url = $p OR original_url = $p OR final_url = $p;"
                    : "SELECT id, canonical_url, original_url, final_url FROM snapshots;",
                    r => (Id: r.GetInt64(0), Urls: new[] { r.GetString(1), r.GetString(2), r.GetString(3) }), cancellationToken, ("$p", pattern)))
                .Where(s => s.Urls.Any(match.Matches)).ToList();
            var pages = (await ReadAllAsync(c, tx, "SELECT canonical_url FROM pages;", r => r.GetString(0), cancellationToken))
                .Where(match.Matches).Concat(doomed.Select(d => d.Urls[0])).ToHashSet(StringComparer.Ordinal);
            foreach (var url in pages)
            {
                await ExecuteAsync(c, tx, "DELETE FROM pages WHERE canonical_url = $u;", cancellationToken, ("$u", url));
            }

            foreach (var (id, _) in doomed)
            {
                await DeleteSnapshotAsync(c, tx, id, cancellationToken);
            }

            var queued = (await ReadAllAsync(c, tx, "SELECT id, url FROM frontier WHERE state IN ('Pending', 'Dead');", r => (Id: r.GetInt64(0), Url: r.GetString(1)), cancellationToken))
                .Where(f => match.Matches(f.Url)).Select(f => f.Id);
            foreach (var id in queued)
            {
                await ExecuteAsync(c, tx, """
                    UPDATE frontier SET state = 'Done', outcome = 'Skipped', note = $note, updated_at = $now WHERE id = $id;
                    """, cancellationToken, ("$note", TakenDownNote), ("$now", Ms(now)), ("$id", id));
            }

            var tombstone = (long)(await ScalarAsync(c, tx, """
                INSERT INTO takedowns(pattern, reason, requested_by, created_at, removed) VALUES ($p, $r, $b, $t, $n) RETURNING id;
                """, cancellationToken, ("$p", pattern), ("$r", reason), ("$b", requestedBy), ("$t", Ms(now)), ("$n", doomed.Count)))!;
            return new Takedown(tombstone, pattern, reason, requestedBy, FromMs(Ms(now)), doomed.Count);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<Takedown>> GetTakedownsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadAllAsync(c, null, "SELECT id, pattern, reason, requested_by, created_at, removed FROM takedowns ORDER BY id;",
            r => new Takedown(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), FromMs(r.GetInt64(4)), r.GetInt32(5)), cancellationToken);
    }

    public async Task<RawCapture?> GetRawCaptureAsync(long snapshotId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var rows = await ReadAllAsync(c, null, """
            SELECT target_url, status, reason, headers_json, body_encoding, body, fetched_at FROM raw_captures WHERE snapshot_id = $id;
            """,
            r => RawBody.Read(
                r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                StoreJson.ReadHeaders(r.GetString(3)), r.GetString(4), (byte[])r.GetValue(5), FromMs(r.GetInt64(6))),
            cancellationToken, ("$id", snapshotId));
        return rows.FirstOrDefault();
    }

    public async Task<IReadOnlyList<CaptureEntry>> GetCapturesAsync(string? source, DateTimeOffset? since, bool latestOnly, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadAllAsync(c, null, """
            SELECT s.id, s.source, s.canonical_url, s.version, r.fetched_at
            FROM raw_captures r JOIN snapshots s ON s.id = r.snapshot_id
            WHERE ($source IS NULL OR s.source = $source) AND ($since IS NULL OR r.fetched_at >= $since)
              AND ($latest = 0 OR s.version = (SELECT MAX(v.version) FROM snapshots v WHERE v.canonical_url = s.canonical_url))
            ORDER BY r.fetched_at, s.id;
            """,
            r => new CaptureEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), FromMs(r.GetInt64(4))),
            cancellationToken, [.. SourceAndSince(source, since), ("$latest", latestOnly ? 1 : 0)]);
    }

    public async Task<IReadOnlyList<DuplicateLink>> GetDuplicateLinksAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadAllAsync(c, null, """
            SELECT canonical_url, duplicate_of, last_checked_at FROM pages
            WHERE duplicate_of IS NOT NULL AND ($source IS NULL OR source = $source) AND ($since IS NULL OR last_checked_at >= $since)
            ORDER BY last_checked_at, canonical_url;
            """,
            r => new DuplicateLink(r.GetString(0), r.GetInt64(1), FromMs(r.GetInt64(2))), cancellationToken, SourceAndSince(source, since));
    }

    public async Task<IReadOnlyList<long>> GetSnapshotIdsAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadAllAsync(c, null, """
            SELECT id FROM snapshots WHERE ($source IS NULL OR source = $source) AND ($since IS NULL OR generated_at >= $since) ORDER BY id;
            """, r => r.GetInt64(0), cancellationToken, SourceAndSince(source, since));
    }

    private static (string, object?)[] SourceAndSince(string? source, DateTimeOffset? since) => [("$source", source), ("$since", since is { } t ? Ms(t) : null)];

    public Task RecordNearDuplicateAsync(string canonicalUrl, string source, long nearDuplicateOf, FrontierLease? lease, string note, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO pages(canonical_url, source, near_duplicate_of, first_seen_at, last_checked_at) VALUES ($u, $s, $n, $now, $now)
                ON CONFLICT(canonical_url) DO UPDATE SET near_duplicate_of = excluded.near_duplicate_of, last_checked_at = excluded.last_checked_at, checks = checks + 1;
                """, cancellationToken, ("$u", canonicalUrl), ("$s", source), ("$n", nearDuplicateOf), ("$now", Ms(now)));
            if (lease is not null)
            {
                await SettleAsync(c, tx, lease, PageOutcome.Duplicate, note, now, cancellationToken);
            }

            return 0;
        }, cancellationToken);

    public async Task<NearDuplicate?> FindNearDuplicateAsync(ulong simHash, string canonicalUrl, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await NearestAsync(c, null, simHash, canonicalUrl, cancellationToken);
    }

    /// <summary>
    /// Candidates by band equality, read from the band indexes alone, then the exact Hamming distance in code; only
    /// the nearest few have their rows read, to skip the URL's own versions.
    /// </summary>
    private static async Task<NearDuplicate?> NearestAsync(SqliteConnection c, SqliteTransaction? tx, ulong simHash, string canonicalUrl, CancellationToken ct)
    {
        var candidates = await ReadAllAsync(c, tx, SimHash.CandidateQuery('$') + ";", r => (r.GetInt64(0), r.GetInt64(1)), ct, SimHashParameters(simHash));
        foreach (var (id, distance) in SimHash.Nearest(candidates, simHash))
        {
            var row = await ReadAllAsync(c, tx, "SELECT canonical_url, content_hash FROM snapshots WHERE id = $id;", r => (Url: r.GetString(0), Hash: r.GetString(1)), ct, ("$id", id));
            if (row is [var found] && found.Url != canonicalUrl)
            {
                return new NearDuplicate(id, found.Url, distance, found.Hash);
            }
        }

        return null;
    }

    private static (string, object?)[] SimHashParameters(ulong? simHash)
    {
        var bands = simHash is { } h ? SimHash.Bands(h) : null;
        // SQLite and PostgreSQL integers are signed: the fingerprint is stored as the signed value of the same 64 bits
        return [("$simhash", simHash is { } v ? unchecked((long)v) : null), ("$band0", bands?[0]), ("$band1", bands?[1]), ("$band2", bands?[2]), ("$band3", bands?[3])];
    }

    private const string TakenDownNote = "taken down";

    private static async Task<List<TakedownPattern>> TakedownPatternsAsync(SqliteConnection c, SqliteTransaction tx, CancellationToken ct) =>
        await ReadAllAsync(c, tx, "SELECT pattern FROM takedowns;", r => new TakedownPattern(r.GetString(0)), ct);

    private static async Task<List<T>> ReadAllAsync<T>(SqliteConnection c, SqliteTransaction? tx, string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Other URLs linked to the snapshot lose the link: their content is gone with it.</summary>
    private static async Task DeleteSnapshotAsync(SqliteConnection c, SqliteTransaction tx, long id, CancellationToken ct)
    {
        await ExecuteAsync(c, tx, "UPDATE pages SET duplicate_of = NULL WHERE duplicate_of = $id;", ct, ("$id", id));
        await ExecuteAsync(c, tx, "UPDATE pages SET near_duplicate_of = NULL WHERE near_duplicate_of = $id;", ct, ("$id", id));
        await ExecuteAsync(c, tx, "UPDATE pages SET latest_snapshot_id = NULL, latest_hash = NULL WHERE latest_snapshot_id = $id;", ct, ("$id", id));
        await ExecuteAsync(c, tx, "DELETE FROM raw_captures WHERE snapshot_id = $id;", ct, ("$id", id));
        await ExecuteAsync(c, tx, "DELETE FROM snapshots WHERE id = $id;", ct, ("$id", id));
    }

    /// <summary>
    /// The snapshot's columns that take CPU to make: JSON and the compressed raw body. A page found unchanged or a
    /// duplicate in the transaction wastes them, which costs less than making them while every other write waits.
    /// The JSON columns are made as UTF-8, what the serializer writes and SQLite stores: as strings they would be
    /// converted to UTF-16 here and back to UTF-8 on the writer thread, 20 KB a page of an article's text. They are bound
    /// as blobs and inserted as <c>CAST($blocks AS TEXT)</c>: the cast reads the bytes as text in the database's
    /// encoding, UTF-8 in every database this store creates, so the columns stay text that SQLite's json functions read.
    /// </summary>
    private sealed record EncodedSnapshot(byte[] Blocks, byte[] Captions, byte[] Keywords, byte[] Links, string? RawHeaders, CompressedBody? StoredBody)
    {
        public static EncodedSnapshot Of(Snapshot s) => new(
            JsonSerializer.SerializeToUtf8Bytes(s.Blocks, StoreJson.Columns.IReadOnlyListSnapshotBlock),
            JsonSerializer.SerializeToUtf8Bytes(s.ImageCaptions, StoreJson.Columns.IReadOnlyListString),
            JsonSerializer.SerializeToUtf8Bytes(s.Keywords, StoreJson.Columns.IReadOnlyListString),
            JsonSerializer.SerializeToUtf8Bytes(s.Links, StoreJson.Columns.IReadOnlyListString),
            s.Raw is { } raw ? StoreJson.WriteHeaders(raw.Headers) : null,
            s.Raw is { } body ? RawBody.Encode(body) : null);
    }

    private static async Task<SnapshotWriteResult> WriteSnapshotAsync(SqliteConnection c, SqliteTransaction tx, Snapshot s, EncodedSnapshot encoded, DateTimeOffset now, CancellationToken ct)
    {
        long? latestId = null;
        string? latestHash = null;
        await using (var page = Command(c, tx, "SELECT latest_snapshot_id, latest_hash FROM pages WHERE canonical_url = $u;", ("$u", s.CanonicalUrl)))
        await using (var reader = await page.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                latestId = reader.IsDBNull(0) ? null : reader.GetInt64(0);
                latestHash = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        if (latestId is long unchangedId && latestHash == s.ContentHash)
        {
            await ExecuteAsync(c, tx, "UPDATE pages SET last_checked_at = $now, checks = checks + 1 WHERE canonical_url = $u;", ct,
                ("$now", Ms(now)), ("$u", s.CanonicalUrl));
            var version = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT version FROM snapshots WHERE id = $id;", ct, ("$id", unchangedId)), CultureInfo.InvariantCulture);
            return new SnapshotWriteResult(SnapshotWriteOutcome.Unchanged, unchangedId, version);
        }

        if (await ScalarAsync(c, tx, "SELECT id FROM snapshots WHERE content_hash = $h AND canonical_url <> $u ORDER BY id LIMIT 1;", ct,
                ("$h", s.ContentHash), ("$u", s.CanonicalUrl)) is long originalId)
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO pages(canonical_url, source, duplicate_of, first_seen_at, last_checked_at) VALUES ($u, $s, $d, $now, $now)
                ON CONFLICT(canonical_url) DO UPDATE SET duplicate_of = excluded.duplicate_of, last_checked_at = excluded.last_checked_at, checks = checks + 1;
                """, ct, ("$u", s.CanonicalUrl), ("$s", s.Source), ("$d", originalId), ("$now", Ms(now)));
            var version = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT version FROM snapshots WHERE id = $id;", ct, ("$id", originalId)), CultureInfo.InvariantCulture);
            return new SnapshotWriteResult(SnapshotWriteOutcome.Duplicate, originalId, version);
        }

        var near = s.SimHash is { } fingerprint ? await NearestAsync(c, tx, fingerprint, s.CanonicalUrl, ct) : null;
        var nextVersion = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(version), 0) + 1 FROM snapshots WHERE canonical_url = $u;", ct, ("$u", s.CanonicalUrl)), CultureInfo.InvariantCulture);
        var id = (long)(await ScalarAsync(c, tx, """
            INSERT INTO snapshots(source, canonical_url, version, original_url, final_url, title, published_at, published_text, publisher,
                category, author, language, blocks_json, captions_json, keywords_json, links_json, site_name, disclaimer, takedown_notice,
                generated_at, content_hash, simhash, band0, band1, band2, band3)
            VALUES ($source, $canonical, $version, $original, $final, $title, $published, $publishedText, $publisher,
                $category, $author, $language, CAST($blocks AS TEXT), CAST($captions AS TEXT), CAST($keywords AS TEXT), CAST($links AS TEXT), $site, $disclaimer, $takedown,
                $generated, $hash, $simhash, $band0, $band1, $band2, $band3)
            RETURNING id;
            """, ct, [.. SimHashParameters(s.SimHash),
            ("$source", s.Source), ("$canonical", s.CanonicalUrl), ("$version", nextVersion), ("$original", s.OriginalUrl),
            ("$final", s.FinalUrl), ("$title", s.Title), ("$published", s.PublishedAt?.ToString("o", CultureInfo.InvariantCulture)),
            ("$publishedText", s.PublishedText), ("$publisher", s.Publisher), ("$category", s.Category), ("$author", s.Author),
            ("$language", s.Language), ("$blocks", encoded.Blocks),
            ("$captions", encoded.Captions), ("$keywords", encoded.Keywords),
            ("$links", encoded.Links), ("$site", s.SiteName), ("$disclaimer", s.Disclaimer),
            ("$takedown", s.TakedownNotice), ("$generated", Ms(s.GeneratedAt)), ("$hash", s.ContentHash)]))!;
        await ExecuteAsync(c, tx, """
            INSERT INTO pages(canonical_url, source, latest_snapshot_id, latest_hash, near_duplicate_of, first_seen_at, last_checked_at) VALUES ($u, $s, $id, $h, $near, $now, $now)
            ON CONFLICT(canonical_url) DO UPDATE SET latest_snapshot_id = excluded.latest_snapshot_id, latest_hash = excluded.latest_hash,
                duplicate_of = NULL, near_duplicate_of = excluded.near_duplicate_of, last_checked_at = excluded.last_checked_at, checks = checks + 1;
            """, ct, ("$u", s.CanonicalUrl), ("$s", s.Source), ("$id", id), ("$h", s.ContentHash), ("$near", near?.SnapshotId), ("$now", Ms(now)));
        if (s.Raw is { } raw)
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO raw_captures(snapshot_id, target_url, fetched_at, status, reason, headers_json, body_encoding, body_length, body)
                VALUES ($id, $url, $at, $status, $reason, $headers, $encoding, $length, $body);
                """, ct, ("$id", id), ("$url", raw.TargetUrl), ("$at", Ms(raw.FetchedAt)), ("$status", raw.StatusCode), ("$reason", raw.ReasonPhrase),
                ("$headers", encoded.RawHeaders), ("$encoding", encoded.StoredBody!.Encoding),
                ("$length", raw.Body.Length), ("$body", encoded.StoredBody.Bytes));
        }

        return new SnapshotWriteResult(SnapshotWriteOutcome.Created, id, nextVersion) { NearDuplicateOf = near?.SnapshotId };
    }

    private static Task SettleAsync(SqliteConnection c, SqliteTransaction tx, FrontierLease lease, PageOutcome outcome, string? note, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(c, tx, """
            UPDATE frontier SET state = 'Done', outcome = $outcome, note = $note, last_error = NULL, lease_owner = NULL, lease_until = NULL,
                updated_at = $now, fetched_at = $now, etag = $etag, last_modified = $lastModified
            WHERE id = $id;
            """, ct, ("$outcome", outcome.ToString()), ("$note", note), ("$now", Ms(now)), ("$id", lease.Id),
            ("$etag", lease.Validators?.ETag), ("$lastModified", lease.Validators?.LastModified));

    private static async Task<Snapshot?> ReadSnapshotAsync(SqliteConnection c, string where, object key, CancellationToken ct)
    {
        await using var cmd = Command(c, null, $"""
            SELECT id, version, source, canonical_url, original_url, final_url, title, published_at, published_text, publisher, category,
                   author, language, blocks_json, captions_json, keywords_json, links_json, site_name, disclaimer, takedown_notice,
                   generated_at, content_hash, simhash
            FROM snapshots {where};
            """, ("$x", key));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new Snapshot
        {
            Id = r.GetInt64(0),
            Version = r.GetInt32(1),
            Source = r.GetString(2),
            CanonicalUrl = r.GetString(3),
            OriginalUrl = r.GetString(4),
            FinalUrl = r.GetString(5),
            Title = r.GetString(6),
            PublishedAt = Text(7) is { } published ? DateTimeOffset.Parse(published, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null,
            PublishedText = Text(8),
            Publisher = Text(9),
            Category = Text(10),
            Author = Text(11),
            Language = Text(12),
            Blocks = JsonSerializer.Deserialize(r.GetString(13), StoreJson.Columns.ListSnapshotBlock) ?? [],
            ImageCaptions = JsonSerializer.Deserialize(r.GetString(14), StoreJson.Columns.ListString) ?? [],
            Keywords = JsonSerializer.Deserialize(r.GetString(15), StoreJson.Columns.ListString) ?? [],
            Links = JsonSerializer.Deserialize(r.GetString(16), StoreJson.Columns.ListString) ?? [],
            SiteName = r.GetString(17),
            Disclaimer = r.GetString(18),
            TakedownNotice = r.GetString(19),
            GeneratedAt = FromMs(r.GetInt64(20)),
            ContentHash = r.GetString(21),
            SimHash = r.IsDBNull(22) ? null : unchecked((ulong)r.GetInt64(22)),
        };
    }

    private static bool IsUnavailable(SqliteException ex) => ex.SqliteErrorCode switch
    {
        5 or 6 => true, // SQLITE_BUSY, SQLITE_LOCKED past the busy timeout
        8 => true,      // SQLITE_READONLY
        10 => true,     // SQLITE_IOERR
        13 => true,     // SQLITE_FULL
        14 => true,     // SQLITE_CANTOPEN
        _ => false,
    };

    private static Task<SqliteTransaction> BeginAsync(SqliteConnection connection, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(connection.BeginTransaction(IsolationLevel.Serializable, deferred: false));
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct, string? connectionString = null)
    {
        var connection = new SqliteConnection(connectionString ?? _connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", ct);
            return connection;
        }
        catch (SqliteException ex) when (IsUnavailable(ex))
        {
            await connection.DisposeAsync();
            throw new StoreUnavailableException($"The SQLite store at {DatabasePath} cannot be opened: {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = WriterStatements.For(c, sql) ?? c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
