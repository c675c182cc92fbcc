using System.Data;
using System.Text.Json;
using Crawler.Storage.Archive;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Frontier;
using Crawler.Storage.Runs;
using Crawler.Storage.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Crawler.Storage.Postgres;

/// <summary>
/// The store for several workers on one PostgreSQL database. Pages are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so
/// workers never wait on each other's rows and never hold the same lease; races the database can only detect at
/// commit (two workers storing one story at once) end in a constraint violation and the write is run again, when it
/// sees the winner's row.
/// </summary>
public sealed class PostgresCrawlStore : ICrawlStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly int _conflictRetries;
    private readonly ILogger<PostgresCrawlStore> _logger;

    public PostgresCrawlStore(PostgresStoreOptions options, ILogger<PostgresCrawlStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _conflictRetries = options.ConflictRetries;
        _logger = logger ?? NullLogger<PostgresCrawlStore>.Instance;
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Description = $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}";
    }

    /// <summary>Where the data lives, without credentials, for messages.</summary>
    public string Description { get; }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(async (c, tx) =>
        {
            // Several workers start at once: the first migrates, the others wait here and then find nothing to do.
            await ExecuteAsync(c, tx, "SELECT pg_advisory_xact_lock(@k);", cancellationToken, ("k", PostgresSchema.MigrationLockKey));
            await ExecuteAsync(c, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);", cancellationToken);
            var applied = new HashSet<int>();
            await using (var read = Command(c, tx, "SELECT version FROM schema_migrations;"))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            foreach (var (version, name, sql) in PostgresSchema.Migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
            {
                _logger.LogInformation("Applying store migration {Version} ({Name}) to {Database}", version, name, Description);
                await ExecuteAsync(c, tx, sql, cancellationToken);
                await ExecuteAsync(c, tx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (@v, @n, now());", cancellationToken,
                    ("v", version), ("n", name));
            }

            return 0;
        }, retryConflicts: false, cancellationToken);
    }

    public Task<CrawlRun> StartOrResumeRunAsync(string source, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var find = Command(c, tx, "SELECT id, started_at FROM crawl_runs WHERE source = @s AND finished_at IS NULL;", ("s", source)))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    return new CrawlRun(reader.GetInt64(0), source, reader.GetFieldValue<DateTimeOffset>(1), Resumed: true);
                }
            }

            // two workers starting the same source at once: the unique open-run index makes the loser retry and resume
            var id = (long)(await ScalarAsync(c, tx, "INSERT INTO crawl_runs(source, started_at) VALUES (@s, @t) RETURNING id;", cancellationToken,
                ("s", source), ("t", Utc(now))))!;
            return new CrawlRun(id, source, now, Resumed: false);
        }, cancellationToken);

    public Task FinishRunAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) => await ExecuteAsync(c, tx, "UPDATE crawl_runs SET finished_at = @t WHERE id = @id AND finished_at IS NULL;", cancellationToken,
            ("t", Utc(now)), ("id", runId)), cancellationToken);

    public Task<IReadOnlyList<CrawlRun>> GetUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync("SELECT id, source, started_at FROM crawl_runs WHERE finished_at IS NULL ORDER BY id;",
            r => new CrawlRun(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), Resumed: true), cancellationToken);

    public async Task<RunTally> GetRunTallyAsync(long runId, CancellationToken cancellationToken = default)
    {
        var rows = await ReadListAsync(
            "SELECT state, COALESCE(outcome, ''), COUNT(*), COALESCE(SUM(retried), 0) FROM frontier WHERE run_id = @r GROUP BY state, outcome;",
            r => (State: r.GetString(0), Outcome: r.GetString(1), Count: (int)r.GetInt64(2), Retried: (int)r.GetInt64(3)),
            cancellationToken, ("r", runId));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = row.State == nameof(FrontierState.Done) ? row.Outcome : row.State;
            counts[key] = counts.GetValueOrDefault(key) + row.Count;
        }

        int Get(string k) => counts.GetValueOrDefault(k);
        return new RunTally(
            Queued: rows.Sum(r => r.Count),
            Pending: Get(nameof(FrontierState.Pending)),
            Leased: Get(nameof(FrontierState.Leased)),
            Listed: Get(nameof(PageOutcome.Listed)),
            Snapshots: Get(nameof(PageOutcome.Snapshot)),
            Unchanged: Get(nameof(PageOutcome.Unchanged)),
            Duplicates: Get(nameof(PageOutcome.Duplicate)),
            NotArticles: Get(nameof(PageOutcome.NotArticle)),
            Skipped: Get(nameof(PageOutcome.Skipped)),
            DeadLettered: Get(nameof(FrontierState.Dead)),
            Retried: rows.Sum(r => r.Retried));
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
            // the run row is the lock that keeps workers enqueueing links of one run under its page budget together
            var queued = (int)(await ScalarAsync(c, tx, "SELECT queued FROM crawl_runs WHERE id = @r FOR UPDATE;", cancellationToken, ("r", runId)))!;
            var takenDown = await TakedownPatternsAsync(c, tx, cancellationToken);
            var added = 0;
            await using var upsert = Command(c, tx, """
                INSERT INTO frontier(source, url, host, run_id, kind, depth, state, next_attempt_at, discovered_from, enqueued_at, updated_at)
                VALUES (@s, @u, @h, @r, @k, @d, 'Pending', @now, @from, @now, @now)
                ON CONFLICT (source, url) DO UPDATE SET
                    run_id = excluded.run_id, host = excluded.host, kind = excluded.kind, depth = excluded.depth, state = 'Pending',
                    attempts = 0, retried = 0, next_attempt_at = excluded.next_attempt_at, lease_owner = NULL,
                    lease_until = NULL, last_error = NULL, outcome = NULL, note = NULL,
                    discovered_from = excluded.discovered_from, enqueued_at = excluded.enqueued_at, updated_at = excluded.updated_at
                WHERE frontier.run_id <> excluded.run_id
                  AND NOT (frontier.state = 'Done' AND @lastmod::timestamptz IS NOT NULL AND frontier.fetched_at IS NOT NULL AND frontier.fetched_at >= @lastmod::timestamptz)
                  AND (frontier.state IN ('Done', 'Pending')
                       OR (frontier.state = 'Leased' AND frontier.lease_until < @now)
                       OR (frontier.state = 'Dead' AND frontier.updated_at <= @deadBefore));
                """,
                ("s", source), ("u", ""), ("h", ""), ("r", runId), ("k", ""), ("d", 0), ("now", Utc(now)), ("from", DBNull.Value),
                ("deadBefore", Utc(now - deadLetterRetryAfter)));
            var lastmod = upsert.Parameters.Add(new NpgsqlParameter("lastmod", NpgsqlDbType.TimestampTz) { Value = DBNull.Value });
            var from = upsert.Parameters["from"];
            from.NpgsqlDbType = NpgsqlDbType.Text;
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

                upsert.Parameters["u"].Value = request.Url;
                upsert.Parameters["h"].Value = request.Host;
                lastmod.Value = request.LastModified is { } modified ? Utc(modified) : DBNull.Value;
                upsert.Parameters["k"].Value = request.Kind.ToString();
                upsert.Parameters["d"].Value = request.Depth;
                from.Value = (object?)request.DiscoveredFrom ?? DBNull.Value;
                added += await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (added > 0)
            {
                await ExecuteAsync(c, tx, "UPDATE crawl_runs SET queued = queued + @n WHERE id = @r;", cancellationToken, ("n", added), ("r", runId));
                // every queued host has its politeness slot; sorted, so workers queueing the same hosts take the
                // rows' locks in one order and cannot deadlock
                await ExecuteAsync(c, tx, """
                    INSERT INTO host_slots(host, next_allowed_at)
                    SELECT DISTINCT h, '-infinity'::timestamptz FROM unnest(@hosts) AS h ORDER BY h
                    ON CONFLICT (host) DO NOTHING;
                    """, cancellationToken, ("hosts", requests.Select(r => r.Host).Distinct(StringComparer.Ordinal).ToArray()));
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
            var busy = (busyHosts ?? []).ToArray();
            var leases = hostInterval > TimeSpan.Zero
                ? await ClaimPoliteAsync(c, tx, runId, max, owner, now, leaseFor, busy, hostInterval, cancellationToken)
                : await ClaimDueAsync(c, tx, runId, owner, now, leaseFor, "NOT (host = ANY(@busy))", max, cancellationToken, ("busy", busy));

            // queued before the takedown: settled here, so the page is never fetched
            var takenDown = await TakedownPatternsAsync(c, tx, cancellationToken);
            foreach (var lease in leases.Where(l => TakedownPattern.AnyMatches(takenDown, l.Url)).ToList())
            {
                await SettleAsync(c, tx, lease, PageOutcome.Skipped, TakenDownNote, now, cancellationToken);
                leases.Remove(lease);
            }

            return leases.OrderBy(l => l.Depth).ThenBy(l => l.Id).ToList();
        }, cancellationToken);

    // SKIP LOCKED everywhere below: rows another worker is claiming right now are passed over, never waited for.
    /// <summary>
    /// Up to <paramref name="max"/> pages: expired leases first (a dead worker's pages, few), then due pages in claim
    /// order. Two queries rather than one with "Pending and due OR Leased and expired": with the OR, PostgreSQL collects and sorts
    /// every due page of the run on each claim; each state alone is read in order from an index and stops at the limit.
    /// </summary>
    private static async Task<List<FrontierLease>> ClaimDueAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long runId, string owner, DateTimeOffset now, TimeSpan leaseFor, string filter, int max, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        var leases = await LeaseAsync(c, tx, runId, owner, now, leaseFor, $"""
            SELECT id FROM frontier
            WHERE run_id = @r AND state = 'Leased' AND lease_until < @now AND {filter}
            ORDER BY depth, next_attempt_at, id
            LIMIT @max
            FOR UPDATE SKIP LOCKED
            """, ct, [.. parameters, ("max", max)]);
        if (leases.Count < max)
        {
            leases.AddRange(await LeaseAsync(c, tx, runId, owner, now, leaseFor, $"""
                SELECT id FROM frontier
                WHERE run_id = @r AND state = 'Pending' AND next_attempt_at <= @now AND {filter}
                ORDER BY depth, next_attempt_at, id
                LIMIT @max
                FOR UPDATE SKIP LOCKED
                """, ct, [.. parameters, ("max", max - leases.Count)]));
        }

        return leases;
    }

    /// <summary>
    /// One page per host whose next allowed time has come. The host's row in host_slots is the lock: the worker that
    /// holds it leases the host's page and moves its time on, the others pass the host over.
    /// </summary>
    private static async Task<List<FrontierLease>> ClaimPoliteAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long runId, int max, string owner, DateTimeOffset now, TimeSpan leaseFor, string[] busy, TimeSpan interval, CancellationToken ct)
    {
        var hosts = new List<string>();
        // per host slot, an index probe for a due page of this run (the slot exists since the host's first page was queued)
        await using (var free = Command(c, tx, """
            SELECT s.host FROM host_slots s
            WHERE s.next_allowed_at <= @now AND NOT (s.host = ANY(@busy))
              AND (EXISTS (SELECT 1 FROM frontier f WHERE f.run_id = @r AND f.host = s.host AND f.state = 'Pending' AND f.next_attempt_at <= @now)
                   OR EXISTS (SELECT 1 FROM frontier f WHERE f.run_id = @r AND f.host = s.host AND f.state = 'Leased' AND f.lease_until < @now))
            ORDER BY s.next_allowed_at
            LIMIT @max
            FOR UPDATE SKIP LOCKED;
            """, ("now", Utc(now)), ("busy", busy), ("r", runId), ("max", max)))
        await using (var reader = await free.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                hosts.Add(reader.GetString(0));
            }
        }

        var leases = new List<FrontierLease>();
        foreach (var host in hosts)
        {
            var one = await ClaimDueAsync(c, tx, runId, owner, now, leaseFor, "host = @host", 1, ct, ("host", host));
            if (one.Count > 0)
            {
                leases.AddRange(one);
                await ExecuteAsync(c, tx, "UPDATE host_slots SET next_allowed_at = @next WHERE host = @host;", ct,
                    ("next", Utc(now + interval)), ("host", host));
            }
        }

        return leases;
    }

    private static async Task<List<FrontierLease>> LeaseAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long runId, string owner, DateTimeOffset now, TimeSpan leaseFor, string pick, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        var until = now + leaseFor;
        await using var cmd = Command(c, tx, $"""
            WITH picked AS ({pick})
            UPDATE frontier f SET state = 'Leased', lease_owner = @o, lease_until = @until, updated_at = @now
            FROM picked WHERE f.id = picked.id
            RETURNING f.id, f.source, f.url, f.kind, f.depth, f.attempts, f.etag, f.last_modified;
            """, [("o", owner), ("until", Utc(until)), ("now", Utc(now)), ("r", runId), .. parameters]);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var leases = new List<FrontierLease>();
        while (await reader.ReadAsync(ct))
        {
            var validators = new HttpValidators(reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
            leases.Add(new FrontierLease(
                reader.GetInt64(0), runId, reader.GetString(1), reader.GetString(2),
                Enum.Parse<PageKind>(reader.GetString(3)), reader.GetInt32(4), reader.GetInt32(5), owner, until)
            {
                Validators = validators.IsEmpty ? null : validators,
            });
        }

        return leases;
    }

    public Task DeferAsync(FrontierLease lease, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) => await ExecuteAsync(c, tx, """
            UPDATE frontier SET state = 'Pending', next_attempt_at = @until, note = @why, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND state = 'Leased' AND lease_owner = @o;
            """, cancellationToken, ("until", Utc(until)), ("why", reason), ("id", lease.Id), ("o", lease.Owner)), cancellationToken);

    public async Task<DateTimeOffset?> GetNextDueAsync(long runId, CancellationToken cancellationToken = default)
    {
        var value = await ReadScalarAsync("""
            SELECT MIN(CASE state WHEN 'Pending' THEN next_attempt_at ELSE lease_until END)
            FROM frontier WHERE run_id = @r AND state IN ('Pending', 'Leased');
            """, cancellationToken, ("r", runId));
        return value is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public Task ReleaseAsync(FrontierLease lease, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) => await ExecuteAsync(c, tx, """
            UPDATE frontier SET state = 'Pending', lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND state = 'Leased' AND lease_owner = @o;
            """, cancellationToken, ("id", lease.Id), ("o", lease.Owner)), cancellationToken);

    public Task<int> ReleaseLeasesOfAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) => await ExecuteAsync(c, tx, """
            UPDATE frontier SET state = 'Pending', lease_owner = NULL, lease_until = NULL
            WHERE state = 'Leased' AND lease_owner = ANY(@o);
            """, cancellationToken, ("o", owners.ToArray())), cancellationToken);

    public Task<IReadOnlyList<string>> GetLeaseOwnersAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync("SELECT DISTINCT lease_owner FROM frontier WHERE state = 'Leased' AND lease_owner IS NOT NULL;", r => r.GetString(0), cancellationToken);

    public Task<FailureResult> RecordFailureAsync(
        FrontierLease lease,
        string error,
        RetryPolicy policy,
        DateTimeOffset? notBefore,
        DateTimeOffset now,
        CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            var attempts = (int)(await ScalarAsync(c, tx, "SELECT attempts FROM frontier WHERE id = @id FOR UPDATE;", cancellationToken, ("id", lease.Id)))! + 1;
            if (attempts >= policy.MaxAttempts)
            {
                await ExecuteAsync(c, tx, """
                    UPDATE frontier SET state = 'Dead', attempts = @a, last_error = @e, lease_owner = NULL, lease_until = NULL, updated_at = @now
                    WHERE id = @id;
                    """, cancellationToken, ("a", attempts), ("e", error), ("now", Utc(now)), ("id", lease.Id));
                return new FailureResult(FailureDisposition.DeadLettered, attempts, null);
            }

            var next = now + policy.DelayAfter(attempts);
            if (notBefore is { } nb && nb > next)
            {
                next = nb;
            }

            await ExecuteAsync(c, tx, """
                UPDATE frontier SET state = 'Pending', attempts = @a, retried = retried + 1, last_error = @e, next_attempt_at = @next,
                    lease_owner = NULL, lease_until = NULL, updated_at = @now
                WHERE id = @id;
                """, cancellationToken, ("a", attempts), ("e", error), ("next", Utc(next)), ("now", Utc(now)), ("id", lease.Id));
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

        return WriteAsync(async (c, tx) =>
        {
            var result = await WriteSnapshotAsync(c, tx, snapshot, now, cancellationToken);
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

    public Task<Snapshot?> GetSnapshotAsync(long id, CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync("WHERE id = @x", id, cancellationToken);

    public async Task<Snapshot?> GetLatestSnapshotAsync(string canonicalUrl, CancellationToken cancellationToken = default)
    {
        var id = await ReadScalarAsync("SELECT COALESCE(latest_snapshot_id, duplicate_of, near_duplicate_of) FROM pages WHERE canonical_url = @u;", cancellationToken, ("u", canonicalUrl));
        if (id is long snapshotId)
        {
            return await ReadSnapshotAsync("WHERE id = @x", snapshotId, cancellationToken);
        }

        return await ReadSnapshotAsync("WHERE original_url = @x OR final_url = @x ORDER BY id DESC LIMIT 1", canonicalUrl, cancellationToken);
    }

    public Task<IReadOnlyList<SnapshotVersion>> GetVersionsAsync(string canonicalUrl, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            "SELECT id, version, generated_at, content_hash, title FROM snapshots WHERE canonical_url = @u ORDER BY version;",
            r => new SnapshotVersion(r.GetInt64(0), r.GetInt32(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetString(4)),
            cancellationToken, ("u", canonicalUrl));

    public Task<IReadOnlyList<FrontierFailure>> GetFailuresAsync(long? runId, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            """
            SELECT source, url, state, attempts, last_error, updated_at FROM frontier
            WHERE last_error IS NOT NULL AND state IN ('Dead', 'Pending') AND (@r::bigint IS NULL OR run_id = @r::bigint)
            ORDER BY state, updated_at DESC LIMIT 1000;
            """,
            r => new FrontierFailure(r.GetString(0), r.GetString(1), Enum.Parse<FrontierState>(r.GetString(2)), r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetFieldValue<DateTimeOffset>(5)),
            cancellationToken, ("r", (object?)runId ?? DBNull.Value));

    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        (await ReadListAsync("""
            SELECT
                (SELECT COUNT(*) FROM frontier f JOIN crawl_runs r ON r.id = f.run_id WHERE r.finished_at IS NULL AND f.state IN ('Pending', 'Leased')),
                (SELECT COUNT(*) FROM frontier WHERE state = 'Dead'),
                (SELECT COUNT(*) FROM snapshots);
            """, r => new StoreStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken))[0];

    public Task<Takedown> TakeDownAsync(string pattern, string reason, string requestedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var match = new TakedownPattern(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        return WriteAsync(async (c, tx) =>
        {
            // one takedown at a time, so two cannot interleave their deletes
            await ExecuteAsync(c, tx, "LOCK TABLE takedowns IN EXCLUSIVE MODE;", cancellationToken);
            var doomed = (await ReadAllAsync(c, tx, match.IsExact
                    ? "SELECT id, canonical_url, original_url, final_url FROM snapshots WHERE canonical_url = @p OR original_url = @p OR final_url = @p;"
                    : "SELECT id, canonical_url, original_url, final_url FROM snapshots;",
                    r => (Id: r.GetInt64(0), Urls: new[] { r.GetString(1), r.GetString(2), r.GetString(3) }), cancellationToken, ("p", pattern)))
                .Where(s => s.Urls.Any(match.Matches)).ToList();
            var pages = (await ReadAllAsync(c, tx, match.IsExact ? "SELECT canonical_url FROM pages WHERE canonical_url = @p;" : "SELECT canonical_url FROM pages;",
                    r => r.GetString(0), cancellationToken, ("p", pattern)))
                .Where(match.Matches).Concat(doomed.Select(d => d.Urls[0])).Distinct(StringComparer.Ordinal).ToArray();
            await ExecuteAsync(c, tx, "DELETE FROM pages WHERE canonical_url = ANY(@u);", cancellationToken, ("u", pages));
            var ids = doomed.Select(d => d.Id).ToArray();
            // other URLs linked to a removed snapshot lose the link: its content is gone
            await ExecuteAsync(c, tx, """
                UPDATE pages SET duplicate_of = NULL WHERE duplicate_of = ANY(@ids);
                UPDATE pages SET near_duplicate_of = NULL WHERE near_duplicate_of = ANY(@ids);
                UPDATE pages SET latest_snapshot_id = NULL, latest_hash = NULL WHERE latest_snapshot_id = ANY(@ids);
                DELETE FROM raw_captures WHERE snapshot_id = ANY(@ids);
                DELETE FROM snapshot_contents WHERE snapshot_id = ANY(@ids);
                DELETE FROM snapshots WHERE id = ANY(@ids);
                """, cancellationToken, ("ids", ids));
            var queued = (await ReadAllAsync(c, tx, "SELECT id, url FROM frontier WHERE state IN ('Pending', 'Dead');",
                    r => (Id: r.GetInt64(0), Url: r.GetString(1)), cancellationToken))
                .Where(f => match.Matches(f.Url)).Select(f => f.Id).ToArray();
            await ExecuteAsync(c, tx, "UPDATE frontier SET state = 'Done', outcome = 'Skipped', note = @note, updated_at = @now WHERE id = ANY(@ids);",
                cancellationToken, ("note", TakenDownNote), ("now", Utc(now)), ("ids", queued));
            var tombstone = (long)(await ScalarAsync(c, tx, """
                INSERT INTO takedowns(pattern, reason, requested_by, created_at, removed) VALUES (@p, @r, @b, @t, @n) RETURNING id;
                """, cancellationToken, ("p", pattern), ("r", reason), ("b", requestedBy), ("t", Utc(now)), ("n", doomed.Count)))!;
            return new Takedown(tombstone, pattern, reason, requestedBy, TruncatedToMicroseconds(now), doomed.Count);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Takedown>> GetTakedownsAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync("SELECT id, pattern, reason, requested_by, created_at, removed FROM takedowns ORDER BY id;",
            r => new Takedown(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetInt32(5)), cancellationToken);

    public async Task<RawCapture?> GetRawCaptureAsync(long snapshotId, CancellationToken cancellationToken = default) =>
        await ReadListAsync("""
            SELECT target_url, status, reason, headers_json::text, body_encoding, body, fetched_at FROM raw_captures WHERE snapshot_id = @id;
            """,
            r => RawBody.Read(
                r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                StoreJson.ReadHeaders(r.GetString(3)), r.GetString(4), r.GetFieldValue<byte[]>(5), r.GetFieldValue<DateTimeOffset>(6)),
            cancellationToken, ("id", snapshotId)) is [var capture, ..] ? capture : null;

    public Task<IReadOnlyList<CaptureEntry>> GetCapturesAsync(string? source, DateTimeOffset? since, bool latestOnly, CancellationToken cancellationToken = default) =>
        ReadListAsync("""
            SELECT s.id, s.source, s.canonical_url, s.version, r.fetched_at
            FROM raw_captures r JOIN snapshots s ON s.id = r.snapshot_id
            WHERE (@source IS NULL OR s.source = @source) AND (@since IS NULL OR r.fetched_at >= @since)
              AND (NOT @latest OR s.version = (SELECT MAX(v.version) FROM snapshots v WHERE v.canonical_url = s.canonical_url))
            ORDER BY r.fetched_at, s.id;
            """,
            r => new CaptureEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)),
            cancellationToken, [.. SourceAndSince(source, since), ("latest", latestOnly)]);

    public Task<IReadOnlyList<DuplicateLink>> GetDuplicateLinksAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default) =>
        ReadListAsync("""
            SELECT canonical_url, duplicate_of, last_checked_at FROM pages
            WHERE duplicate_of IS NOT NULL AND (@source IS NULL OR source = @source) AND (@since IS NULL OR last_checked_at >= @since)
            ORDER BY last_checked_at, canonical_url;
            """,
            r => new DuplicateLink(r.GetString(0), r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2)), cancellationToken, SourceAndSince(source, since));

    public Task<IReadOnlyList<long>> GetSnapshotIdsAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default) =>
        ReadListAsync("""
            SELECT id FROM snapshots WHERE (@source IS NULL OR source = @source) AND (@since IS NULL OR generated_at >= @since) ORDER BY id;
            """, r => r.GetInt64(0), cancellationToken, SourceAndSince(source, since));

    public Task RecordNearDuplicateAsync(string canonicalUrl, string source, long nearDuplicateOf, FrontierLease? lease, string note, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO pages(canonical_url, source, near_duplicate_of, first_seen_at, last_checked_at) VALUES (@u, @s, @n, @now, @now)
                ON CONFLICT (canonical_url) DO UPDATE SET near_duplicate_of = excluded.near_duplicate_of, last_checked_at = excluded.last_checked_at,
                    checks = pages.checks + 1;
                """, cancellationToken, ("u", canonicalUrl), ("s", source), ("n", nearDuplicateOf), ("now", Utc(now)));
            if (lease is not null)
            {
                await SettleAsync(c, tx, lease, PageOutcome.Duplicate, note, now, cancellationToken);
            }

            return 0;
        }, cancellationToken);

    public async Task<NearDuplicate?> FindNearDuplicateAsync(ulong simHash, string canonicalUrl, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await NearestAsync(c, null, simHash, canonicalUrl, cancellationToken);
        }
        catch (NpgsqlException ex) when (IsUnavailable(ex))
        {
            throw new StoreUnavailableException($"The {Description} cannot be read: {ex.Message}", ex);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private const string TakenDownNote = "taken down";

    /// <summary>
    /// Candidates by band equality, read from the band indexes alone, then the exact Hamming distance in code; only
    /// the nearest few have their rows read, to skip the URL's own versions.
    /// </summary>
    private static async Task<NearDuplicate?> NearestAsync(NpgsqlConnection c, NpgsqlTransaction? tx, ulong simHash, string canonicalUrl, CancellationToken ct)
    {
        var candidates = await ReadAllAsync(c, tx, SimHash.CandidateQuery('@') + ";", r => (r.GetInt64(0), r.GetInt64(1)), ct, SimHashParameters(simHash));
        foreach (var (id, distance) in SimHash.Nearest(candidates, simHash))
        {
            var row = await ReadAllAsync(c, tx, "SELECT canonical_url, content_hash FROM snapshots WHERE id = @id;", r => (Url: r.GetString(0), Hash: r.GetString(1)), ct, ("id", id));
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
        return
        [
            Typed("simhash", NpgsqlDbType.Bigint, simHash is { } v ? unchecked((long)v) : null),
            Typed("band0", NpgsqlDbType.Integer, bands?[0]), Typed("band1", NpgsqlDbType.Integer, bands?[1]),
            Typed("band2", NpgsqlDbType.Integer, bands?[2]), Typed("band3", NpgsqlDbType.Integer, bands?[3]),
        ];
    }

    private static (string, object?)[] SourceAndSince(string? source, DateTimeOffset? since) =>
        [Typed("source", NpgsqlDbType.Text, source), Typed("since", NpgsqlDbType.TimestampTz, since?.ToUniversalTime())];

    private static (string, object?) Typed(string name, NpgsqlDbType type, object? value) =>
        (name, new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    private static async Task<List<TakedownPattern>> TakedownPatternsAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        await ReadAllAsync(c, tx, "SELECT pattern FROM takedowns;", r => new TakedownPattern(r.GetString(0)), ct);

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
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

    /// <summary>timestamptz keeps microseconds: what a read gives back for a time written now.</summary>
    private static DateTimeOffset TruncatedToMicroseconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    private static async Task<SnapshotWriteResult> WriteSnapshotAsync(NpgsqlConnection c, NpgsqlTransaction tx, Snapshot s, DateTimeOffset now, CancellationToken ct)
    {
        long? latestId = null;
        string? latestHash = null;
        // the page row (when there is one) is locked: one URL's versions are numbered by one writer at a time
        await using (var page = Command(c, tx, "SELECT latest_snapshot_id, latest_hash FROM pages WHERE canonical_url = @u FOR UPDATE;", ("u", s.CanonicalUrl)))
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
            await ExecuteAsync(c, tx, "UPDATE pages SET last_checked_at = @now, checks = checks + 1 WHERE canonical_url = @u;", ct,
                ("now", Utc(now)), ("u", s.CanonicalUrl));
            var version = (int)(await ScalarAsync(c, tx, "SELECT version FROM snapshots WHERE id = @id;", ct, ("id", unchangedId)))!;
            return new SnapshotWriteResult(SnapshotWriteOutcome.Unchanged, unchangedId, version);
        }

        await using (var original = Command(c, tx, """
            SELECT s.id, s.version FROM snapshot_contents sc JOIN snapshots s ON s.id = sc.snapshot_id
            WHERE sc.content_hash = @h AND s.canonical_url <> @u;
            """, ("h", s.ContentHash), ("u", s.CanonicalUrl)))
        await using (var reader = await original.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                var (originalId, version) = (reader.GetInt64(0), reader.GetInt32(1));
                await reader.DisposeAsync();
                await ExecuteAsync(c, tx, """
                    INSERT INTO pages(canonical_url, source, duplicate_of, first_seen_at, last_checked_at) VALUES (@u, @s, @d, @now, @now)
                    ON CONFLICT (canonical_url) DO UPDATE SET duplicate_of = excluded.duplicate_of, last_checked_at = excluded.last_checked_at,
                        checks = pages.checks + 1;
                    """, ct, ("u", s.CanonicalUrl), ("s", s.Source), ("d", originalId), ("now", Utc(now)));
                return new SnapshotWriteResult(SnapshotWriteOutcome.Duplicate, originalId, version);
            }
        }

        var near = s.SimHash is { } fingerprint ? await NearestAsync(c, tx, fingerprint, s.CanonicalUrl, ct) : null;
        var nextVersion = (int)(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(version), 0) + 1 FROM snapshots WHERE canonical_url = @u;", ct, ("u", s.CanonicalUrl)))!;
        await using var insert = Command(c, tx, """
            INSERT INTO snapshots(source, canonical_url, version, original_url, final_url, title, published_at, published_text, publisher,
                category, author, language, blocks_json, captions_json, keywords_json, links_json, site_name, disclaimer, takedown_notice,
                generated_at, content_hash, simhash, band0, band1, band2, band3)
            VALUES (@source, @canonical, @version, @original, @final, @title, @published, @publishedText, @publisher,
                @category, @author, @language, @blocks, @captions, @keywords, @links, @site, @disclaimer, @takedown,
                @generated, @hash, @simhash, @band0, @band1, @band2, @band3)
            RETURNING id;
            """,
            [.. SimHashParameters(s.SimHash),
            ("source", s.Source), ("canonical", s.CanonicalUrl), ("version", nextVersion), ("original", s.OriginalUrl),
            ("final", s.FinalUrl), ("title", s.Title), ("published", s.PublishedAt?.ToString("o", System.Globalization.CultureInfo.InvariantCulture)),
            ("publishedText", s.PublishedText), ("publisher", s.Publisher), ("category", s.Category), ("author", s.Author),
            ("language", s.Language), ("site", s.SiteName), ("disclaimer", s.Disclaimer),
            ("takedown", s.TakedownNotice), ("generated", Utc(s.GeneratedAt)), ("hash", s.ContentHash)]);
        foreach (var text in new[] { "published", "publishedText", "publisher", "category", "author", "language" })
        {
            insert.Parameters[text].NpgsqlDbType = NpgsqlDbType.Text;
        }

        insert.Parameters.Add(new NpgsqlParameter("blocks", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(s.Blocks, StoreJson.Columns.IReadOnlyListSnapshotBlock) });
        insert.Parameters.Add(new NpgsqlParameter("captions", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(s.ImageCaptions, StoreJson.Columns.IReadOnlyListString) });
        insert.Parameters.Add(new NpgsqlParameter("keywords", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(s.Keywords, StoreJson.Columns.IReadOnlyListString) });
        insert.Parameters.Add(new NpgsqlParameter("links", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(s.Links, StoreJson.Columns.IReadOnlyListString) });
        var id = (long)(await insert.ExecuteScalarAsync(ct))!;

        // A revert to an earlier version of the same URL already owns its content row; a plain insert from two
        // workers with one new content collides here (unique violation) and the loser's retry links to the winner.
        await ExecuteAsync(c, tx, """
            INSERT INTO snapshot_contents(content_hash, snapshot_id)
            SELECT @h, @id WHERE NOT EXISTS (
                SELECT 1 FROM snapshot_contents sc JOIN snapshots o ON o.id = sc.snapshot_id
                WHERE sc.content_hash = @h AND o.canonical_url = @u);
            """, ct, ("h", s.ContentHash), ("id", id), ("u", s.CanonicalUrl));
        await ExecuteAsync(c, tx, """
            INSERT INTO pages(canonical_url, source, latest_snapshot_id, latest_hash, near_duplicate_of, first_seen_at, last_checked_at)
            VALUES (@u, @s, @id, @h, @near, @now, @now)
            ON CONFLICT (canonical_url) DO UPDATE SET latest_snapshot_id = excluded.latest_snapshot_id, latest_hash = excluded.latest_hash,
                duplicate_of = NULL, near_duplicate_of = excluded.near_duplicate_of, last_checked_at = excluded.last_checked_at, checks = pages.checks + 1;
            """, ct, ("u", s.CanonicalUrl), ("s", s.Source), ("id", id), ("h", s.ContentHash), Typed("near", NpgsqlDbType.Bigint, near?.SnapshotId), ("now", Utc(now)));
        if (s.Raw is { } raw)
        {
            var body = RawBody.Encode(raw);
            await ExecuteAsync(c, tx, """
                INSERT INTO raw_captures(snapshot_id, target_url, fetched_at, status, reason, headers_json, body_encoding, body_length, body)
                VALUES (@id, @url, @at, @status, @reason, @headers, @encoding, @length, @body);
                """, ct, ("id", id), ("url", raw.TargetUrl), ("at", Utc(raw.FetchedAt)), ("status", raw.StatusCode), ("reason", raw.ReasonPhrase),
                Typed("headers", NpgsqlDbType.Jsonb, StoreJson.WriteHeaders(raw.Headers)),
                ("encoding", body.Encoding), ("length", raw.Body.Length), ("body", body.Bytes));
        }

        return new SnapshotWriteResult(SnapshotWriteOutcome.Created, id, nextVersion) { NearDuplicateOf = near?.SnapshotId };
    }

    private static Task<int> SettleAsync(NpgsqlConnection c, NpgsqlTransaction tx, FrontierLease lease, PageOutcome outcome, string? note, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(c, tx, """
            UPDATE frontier SET state = 'Done', outcome = @outcome, note = @note, last_error = NULL, lease_owner = NULL, lease_until = NULL,
                updated_at = @now, fetched_at = @now, etag = @etag, last_modified = @lastModified
            WHERE id = @id;
            """, ct, ("outcome", outcome.ToString()), ("note", note), ("now", Utc(now)), ("id", lease.Id),
            ("etag", lease.Validators?.ETag), ("lastModified", lease.Validators?.LastModified));

    private async Task<Snapshot?> ReadSnapshotAsync(string where, object key, CancellationToken ct)
    {
        var found = await ReadListAsync($"""
            SELECT id, version, source, canonical_url, original_url, final_url, title, published_at, published_text, publisher, category,
                   author, language, blocks_json::text, captions_json::text, keywords_json::text, links_json::text, site_name, disclaimer,
                   takedown_notice, generated_at, content_hash, simhash
            FROM snapshots {where};
            """, r =>
        {
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
                PublishedAt = Text(7) is { } published
                    ? DateTimeOffset.Parse(published, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
                    : null,
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
                GeneratedAt = r.GetFieldValue<DateTimeOffset>(20),
                ContentHash = r.GetString(21),
                SimHash = r.IsDBNull(22) ? null : unchecked((ulong)r.GetInt64(22)),
            };
        }, ct, ("x", key));
        return found.Count > 0 ? found[0] : null;
    }

    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(work, retryConflicts: true, cancellationToken);

    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, bool retryConflicts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var result = await work(connection, tx);
                await tx.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException ex) when (retryConflicts && attempt <= _conflictRetries && IsLostRace(ex))
            {
                _logger.LogDebug("Write lost a race with another worker ({SqlState}: {Message}); trying again", ex.SqlState, ex.MessageText);
            }
            catch (NpgsqlException ex) when (IsUnavailable(ex))
            {
                throw new StoreUnavailableException($"The {Description} cannot take writes: {ex.Message}", ex);
            }
        }
    }

    private static bool IsLostRace(PostgresException ex) => ex.SqlState is
        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    private static bool IsUnavailable(NpgsqlException ex) => ex switch
    {
        // disk full, out of memory, too many connections; the server shutting down; a read-only standby
        PostgresException pg => pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction,
        // no server response at all: refused, reset, timed out
        _ => true,
    };

    private async Task<IReadOnlyList<T>> ReadListAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await using var c = await _dataSource.OpenConnectionAsync(ct);
            await using var cmd = Command(c, null, sql, parameters);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var list = new List<T>();
            while (await reader.ReadAsync(ct))
            {
                list.Add(map(reader));
            }

            return list;
        }
        catch (NpgsqlException ex) when (IsUnavailable(ex))
        {
            throw new StoreUnavailableException($"The {Description} cannot be read: {ex.Message}", ex);
        }
    }

    private async Task<object?> ReadScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await using var c = await _dataSource.OpenConnectionAsync(ct);
            return await ScalarAsync(c, null, sql, ct, parameters);
        }
        catch (NpgsqlException ex) when (IsUnavailable(ex))
        {
            throw new StoreUnavailableException($"The {Description} cannot be read: {ex.Message}", ex);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters)
        {
            // a null needs a type PostgreSQL can infer the parameter from: text unless the caller typed it (Typed)
            cmd.Parameters.Add(value switch
            {
                NpgsqlParameter typed => typed,
                null or DBNull => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = DBNull.Value },
                _ => new NpgsqlParameter(name, value),
            });
        }

        return cmd;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    private static DateTimeOffset Utc(DateTimeOffset t) => t.ToUniversalTime();
}
