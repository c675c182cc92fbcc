namespace Crawler.Storage.Sqlite;

/// <summary>
/// Ordered schema migrations. Append only: a shipped migration is never edited, because stores in the field
/// have already run it. Times are Unix milliseconds (UTC) so they compare as integers.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "runs, frontier, snapshots, pages", """
            CREATE TABLE crawl_runs (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                source       TEXT    NOT NULL,
                started_at   INTEGER NOT NULL,
                finished_at  INTEGER NULL,
                queued       INTEGER NOT NULL DEFAULT 0
            );
            -- one open run per source: a crash leaves it open and the next start resumes it
            CREATE UNIQUE INDEX ux_crawl_runs_open ON crawl_runs(source) WHERE finished_at IS NULL;

            CREATE TABLE frontier (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                source           TEXT    NOT NULL,
                url              TEXT    NOT NULL,
                run_id           INTEGER NOT NULL REFERENCES crawl_runs(id),
                kind             TEXT    NOT NULL,
                depth            INTEGER NOT NULL,
                state            TEXT    NOT NULL,
                attempts         INTEGER NOT NULL DEFAULT 0,
                retried          INTEGER NOT NULL DEFAULT 0,
                next_attempt_at  INTEGER NOT NULL,
                lease_owner      TEXT    NULL,
                lease_until      INTEGER NULL,
                last_error       TEXT    NULL,
                outcome          TEXT    NULL,
                note             TEXT    NULL,
                discovered_from  TEXT    NULL,
                enqueued_at      INTEGER NOT NULL,
                updated_at       INTEGER NOT NULL,
                UNIQUE (source, url)
            );
            CREATE INDEX ix_frontier_claim ON frontier(run_id, state, next_attempt_at);
            CREATE INDEX ix_frontier_lease_owner ON frontier(lease_owner) WHERE lease_owner IS NOT NULL;

            CREATE TABLE snapshots (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                source           TEXT    NOT NULL,
                canonical_url    TEXT    NOT NULL,
                version          INTEGER NOT NULL,
                original_url     TEXT    NOT NULL CHECK (length(original_url) > 0),
                final_url        TEXT    NOT NULL,
                title            TEXT    NOT NULL,
                published_at     TEXT    NULL,
                published_text   TEXT    NULL,
                publisher        TEXT    NULL,
                category         TEXT    NULL,
                author           TEXT    NULL,
                language         TEXT    NULL,
                blocks_json      TEXT    NOT NULL,
                captions_json    TEXT    NOT NULL,
                keywords_json    TEXT    NOT NULL,
                links_json       TEXT    NOT NULL,
                site_name        TEXT    NOT NULL,
                disclaimer       TEXT    NOT NULL,
                takedown_notice  TEXT    NOT NULL,
                generated_at     INTEGER NOT NULL,
                content_hash     TEXT    NOT NULL,
                UNIQUE (canonical_url, version)
            );
            CREATE INDEX ix_snapshots_content_hash ON snapshots(content_hash);

            -- what the crawler knows per canonical URL: its latest version, or the snapshot it duplicates
            CREATE TABLE pages (
                canonical_url       TEXT    PRIMARY KEY,
                source              TEXT    NOT NULL,
                latest_snapshot_id  INTEGER NULL REFERENCES snapshots(id),
                latest_hash         TEXT    NULL,
                duplicate_of        INTEGER NULL REFERENCES snapshots(id),
                first_seen_at       INTEGER NOT NULL,
                last_checked_at     INTEGER NOT NULL,
                checks              INTEGER NOT NULL DEFAULT 1
            );
            """),
        (2, "frontier: host, conditional-GET validators, fetch time", """
            -- host:port of the URL, so claims can pass over hosts that already have enough requests in flight
            ALTER TABLE frontier ADD COLUMN host TEXT NOT NULL DEFAULT '';
            UPDATE frontier SET host = lower(substr(url, instr(url, '://') + 3,
                instr(substr(url, instr(url, '://') + 3) || '/', '/') - 1));
            ALTER TABLE frontier ADD COLUMN etag TEXT NULL;
            ALTER TABLE frontier ADD COLUMN last_modified TEXT NULL;
            -- when the page was last fetched whole; a sitemap lastmod not newer than this means unchanged
            ALTER TABLE frontier ADD COLUMN fetched_at INTEGER NULL;
            CREATE INDEX ix_frontier_run_host ON frontier(run_id, state, host);
            """),
        (3, "takedowns", """
            -- tombstones: what was removed and why, never the content
            CREATE TABLE takedowns (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                pattern       TEXT    NOT NULL,
                reason        TEXT    NOT NULL,
                requested_by  TEXT    NOT NULL,
                created_at    INTEGER NOT NULL,
                removed       INTEGER NOT NULL
            );
            """),
        (4, "raw captures", """
            -- the response of every new snapshot; the body compressed (body_encoding names how), headers as JSON pairs
            CREATE TABLE raw_captures (
                snapshot_id    INTEGER PRIMARY KEY REFERENCES snapshots(id),
                target_url     TEXT    NOT NULL,
                fetched_at     INTEGER NOT NULL,
                status         INTEGER NOT NULL,
                reason         TEXT    NULL,
                headers_json   TEXT    NOT NULL,
                body_encoding  TEXT    NOT NULL,
                body_length    INTEGER NOT NULL,
                body           BLOB    NOT NULL
            );
            CREATE INDEX ix_raw_captures_fetched_at ON raw_captures(fetched_at);
            """),
        (5, "near duplicates: simhash bands, pages.near_duplicate_of", """
            -- a 64-bit SimHash split into four 16-bit bands, each indexed: a near duplicate shares at least one band
            ALTER TABLE snapshots ADD COLUMN simhash INTEGER NULL;
            ALTER TABLE snapshots ADD COLUMN band0 INTEGER NULL;
            ALTER TABLE snapshots ADD COLUMN band1 INTEGER NULL;
            ALTER TABLE snapshots ADD COLUMN band2 INTEGER NULL;
            ALTER TABLE snapshots ADD COLUMN band3 INTEGER NULL;
            CREATE INDEX ix_snapshots_band0 ON snapshots(band0);
            CREATE INDEX ix_snapshots_band1 ON snapshots(band1);
            CREATE INDEX ix_snapshots_band2 ON snapshots(band2);
            CREATE INDEX ix_snapshots_band3 ON snapshots(band3);
            ALTER TABLE pages ADD COLUMN near_duplicate_of INTEGER NULL REFERENCES snapshots(id);
            """),
        (6, "near-duplicate bands carry the fingerprint (index-only candidate lookups)", """
            -- a clustered archive (one beat, one house style) puts hundreds of snapshots in one band: reading each
            -- candidate's table row made every lookup slow; the fingerprint in the index makes it an index-only scan
            DROP INDEX ix_snapshots_band0;
            DROP INDEX ix_snapshots_band1;
            DROP INDEX ix_snapshots_band2;
            DROP INDEX ix_snapshots_band3;
            CREATE INDEX ix_snapshots_band0 ON snapshots(band0, simhash);
            CREATE INDEX ix_snapshots_band1 ON snapshots(band1, simhash);
            CREATE INDEX ix_snapshots_band2 ON snapshots(band2, simhash);
            CREATE INDEX ix_snapshots_band3 ON snapshots(band3, simhash);
            """),
        (7, "frontier claims walk an index in claim order", """
            -- the claim's ORDER BY (depth, next_attempt_at, id) read straight off an index: without it every claim
            -- sorted all of a run's due pages, and a 100,000-page crawl slowed to less than half its speed
            CREATE INDEX ix_frontier_due ON frontier(run_id, state, depth, next_attempt_at);
            """),
    ];
}
