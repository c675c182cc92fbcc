namespace Crawler.Storage.Postgres;

/// <summary>
/// Ordered schema migrations for PostgreSQL. Append only, like <see cref="Sqlite.SqliteSchema"/>. The same tables as
/// the SQLite store, with PostgreSQL's types, plus the constraints that let several workers share one database.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Key of the advisory lock that serializes migrations when several workers start at once.</summary>
    public const long MigrationLockKey = 0x43726177_6C657231; // "Crawler1"

    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "runs, frontier, snapshots, pages", """
            CREATE TABLE crawl_runs (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source       text        NOT NULL,
                started_at   timestamptz NOT NULL,
                finished_at  timestamptz NULL,
                queued       integer     NOT NULL DEFAULT 0
            );
            -- one open run per source, across all workers
            CREATE UNIQUE INDEX ux_crawl_runs_open ON crawl_runs(source) WHERE finished_at IS NULL;

            CREATE TABLE frontier (
                id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source           text        NOT NULL,
                url              text        NOT NULL,
                host             text        NOT NULL,
                run_id           bigint      NOT NULL REFERENCES crawl_runs(id),
                kind             text        NOT NULL,
                depth            integer     NOT NULL,
                state            text        NOT NULL,
                attempts         integer     NOT NULL DEFAULT 0,
                retried          integer     NOT NULL DEFAULT 0,
                next_attempt_at  timestamptz NOT NULL,
                lease_owner      text        NULL,
                lease_until      timestamptz NULL,
                last_error       text        NULL,
                outcome          text        NULL,
                note             text        NULL,
                discovered_from  text        NULL,
                etag             text        NULL,
                last_modified    text        NULL,
                fetched_at       timestamptz NULL,
                enqueued_at      timestamptz NOT NULL,
                updated_at       timestamptz NOT NULL,
                UNIQUE (source, url)
            );
            CREATE INDEX ix_frontier_claim ON frontier(run_id, state, next_attempt_at);
            CREATE INDEX ix_frontier_run_host ON frontier(run_id, state, host);
            CREATE INDEX ix_frontier_lease_owner ON frontier(lease_owner) WHERE lease_owner IS NOT NULL;

            -- per-host politeness shared by all workers: no worker claims a page of a host before this time
            CREATE TABLE host_slots (
                host             text        PRIMARY KEY,
                next_allowed_at  timestamptz NOT NULL
            );

            CREATE TABLE snapshots (
                id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source           text        NOT NULL,
                canonical_url    text        NOT NULL,
                version          integer     NOT NULL,
                original_url     text        NOT NULL CHECK (length(original_url) > 0),
                final_url        text        NOT NULL,
                title            text        NOT NULL,
                published_at     text        NULL,
                published_text   text        NULL,
                publisher        text        NULL,
                category         text        NULL,
                author           text        NULL,
                language         text        NULL,
                blocks_json      jsonb       NOT NULL,
                captions_json    jsonb       NOT NULL,
                keywords_json    jsonb       NOT NULL,
                links_json       jsonb       NOT NULL,
                site_name        text        NOT NULL,
                disclaimer       text        NOT NULL,
                takedown_notice  text        NOT NULL,
                generated_at     timestamptz NOT NULL,
                content_hash     text        NOT NULL,
                UNIQUE (canonical_url, version)
            );
            CREATE INDEX ix_snapshots_content_hash ON snapshots(content_hash);

            -- the first snapshot of each content: two workers storing the same story at two URLs at once collide
            -- here, and the loser's retry finds the winner's row and links to it
            CREATE TABLE snapshot_contents (
                content_hash  text   PRIMARY KEY,
                snapshot_id   bigint NOT NULL REFERENCES snapshots(id)
            );

            CREATE TABLE pages (
                canonical_url       text        PRIMARY KEY,
                source              text        NOT NULL,
                latest_snapshot_id  bigint      NULL REFERENCES snapshots(id),
                latest_hash         text        NULL,
                duplicate_of        bigint      NULL REFERENCES snapshots(id),
                first_seen_at       timestamptz NOT NULL,
                last_checked_at     timestamptz NOT NULL,
                checks              integer     NOT NULL DEFAULT 1
            );
            """),
        (2, "Quartz.NET clustered job store (its documented PostgreSQL schema)", """
            CREATE TABLE qrtz_job_details (
                sched_name text NOT NULL, job_name text NOT NULL, job_group text NOT NULL, description text NULL,
                job_class_name text NOT NULL, is_durable bool NOT NULL, is_nonconcurrent bool NOT NULL,
                is_update_data bool NOT NULL, requests_recovery bool NOT NULL, job_data bytea NULL,
                PRIMARY KEY (sched_name, job_name, job_group));
            CREATE TABLE qrtz_triggers (
                sched_name text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL,
                job_name text NOT NULL, job_group text NOT NULL, description text NULL,
                next_fire_time bigint NULL, prev_fire_time bigint NULL, priority integer NULL,
                trigger_state text NOT NULL, trigger_type text NOT NULL, start_time bigint NOT NULL,
                end_time bigint NULL, calendar_name text NULL, misfire_instr smallint NULL,
                misfire_orig_fire_time bigint NULL, job_data bytea NULL,
                PRIMARY KEY (sched_name, trigger_name, trigger_group),
                FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group));
            CREATE TABLE qrtz_simple_triggers (
                sched_name text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL,
                repeat_count bigint NOT NULL, repeat_interval bigint NOT NULL, times_triggered bigint NOT NULL,
                PRIMARY KEY (sched_name, trigger_name, trigger_group),
                FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers ON DELETE CASCADE);
            CREATE TABLE qrtz_simprop_triggers (
                sched_name text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL,
                str_prop_1 text NULL, str_prop_2 text NULL, str_prop_3 text NULL,
                int_prop_1 integer NULL, int_prop_2 integer NULL, long_prop_1 bigint NULL, long_prop_2 bigint NULL,
                dec_prop_1 numeric NULL, dec_prop_2 numeric NULL, bool_prop_1 bool NULL, bool_prop_2 bool NULL,
                time_zone_id text NULL,
                PRIMARY KEY (sched_name, trigger_name, trigger_group),
                FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers ON DELETE CASCADE);
            CREATE TABLE qrtz_cron_triggers (
                sched_name text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL,
                cron_expression text NOT NULL, time_zone_id text,
                PRIMARY KEY (sched_name, trigger_name, trigger_group),
                FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers ON DELETE CASCADE);
            CREATE TABLE qrtz_blob_triggers (
                sched_name text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL, blob_data bytea NULL,
                PRIMARY KEY (sched_name, trigger_name, trigger_group),
                FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers ON DELETE CASCADE);
            CREATE TABLE qrtz_calendars (
                sched_name text NOT NULL, calendar_name text NOT NULL, calendar bytea NOT NULL,
                PRIMARY KEY (sched_name, calendar_name));
            CREATE TABLE qrtz_paused_trigger_grps (
                sched_name text NOT NULL, trigger_group text NOT NULL,
                PRIMARY KEY (sched_name, trigger_group));
            CREATE TABLE qrtz_fired_triggers (
                sched_name text NOT NULL, entry_id text NOT NULL, trigger_name text NOT NULL, trigger_group text NOT NULL,
                instance_name text NOT NULL, fired_time bigint NOT NULL, sched_time bigint NOT NULL, priority integer NOT NULL,
                state text NOT NULL, job_name text NULL, job_group text NULL, is_nonconcurrent bool NOT NULL,
                requests_recovery bool NULL,
                PRIMARY KEY (sched_name, entry_id));
            CREATE TABLE qrtz_scheduler_state (
                sched_name text NOT NULL, instance_name text NOT NULL, last_checkin_time bigint NOT NULL,
                checkin_interval bigint NOT NULL,
                PRIMARY KEY (sched_name, instance_name));
            CREATE TABLE qrtz_locks (
                sched_name text NOT NULL, lock_name text NOT NULL,
                PRIMARY KEY (sched_name, lock_name));
            CREATE INDEX idx_qrtz_j_req_recovery ON qrtz_job_details (sched_name, requests_recovery);
            CREATE INDEX idx_qrtz_t_next_fire_time ON qrtz_triggers (sched_name, next_fire_time);
            CREATE INDEX idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time);
            CREATE INDEX idx_qrtz_ft_trig_nm_gp ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
            CREATE INDEX idx_qrtz_ft_trig_inst_name ON qrtz_fired_triggers (sched_name, instance_name);
            CREATE INDEX idx_qrtz_ft_job_req_recovery ON qrtz_fired_triggers (requests_recovery);
            """),
        (3, "takedowns, raw captures, near-duplicate index", """
            -- tombstones: what was removed and why, never the content
            CREATE TABLE takedowns (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pattern       text        NOT NULL,
                reason        text        NOT NULL,
                requested_by  text        NOT NULL,
                created_at    timestamptz NOT NULL,
                removed       integer     NOT NULL
            );

            -- the response of every new snapshot; the body compressed (body_encoding names how)
            CREATE TABLE raw_captures (
                snapshot_id    bigint      PRIMARY KEY REFERENCES snapshots(id),
                target_url     text        NOT NULL,
                fetched_at     timestamptz NOT NULL,
                status         integer     NOT NULL,
                reason         text        NULL,
                headers_json   jsonb       NOT NULL,
                body_encoding  text        NOT NULL,
                body_length    integer     NOT NULL,
                body           bytea       NOT NULL
            );
            CREATE INDEX ix_raw_captures_fetched_at ON raw_captures(fetched_at);

            -- a 64-bit SimHash (the signed value of its bits) and its four 16-bit bands, each indexed:
            -- a near duplicate shares at least one band
            ALTER TABLE snapshots ADD COLUMN simhash bigint NULL;
            ALTER TABLE snapshots ADD COLUMN band0 integer NULL;
            ALTER TABLE snapshots ADD COLUMN band1 integer NULL;
            ALTER TABLE snapshots ADD COLUMN band2 integer NULL;
            ALTER TABLE snapshots ADD COLUMN band3 integer NULL;
            CREATE INDEX ix_snapshots_band0 ON snapshots(band0);
            CREATE INDEX ix_snapshots_band1 ON snapshots(band1);
            CREATE INDEX ix_snapshots_band2 ON snapshots(band2);
            CREATE INDEX ix_snapshots_band3 ON snapshots(band3);
            ALTER TABLE pages ADD COLUMN near_duplicate_of bigint NULL REFERENCES snapshots(id);
            """),
        (4, "near-duplicate bands carry the fingerprint (index-only candidate lookups)", """
            DROP INDEX ix_snapshots_band0;
            DROP INDEX ix_snapshots_band1;
            DROP INDEX ix_snapshots_band2;
            DROP INDEX ix_snapshots_band3;
            CREATE INDEX ix_snapshots_band0 ON snapshots(band0) INCLUDE (simhash);
            CREATE INDEX ix_snapshots_band1 ON snapshots(band1) INCLUDE (simhash);
            CREATE INDEX ix_snapshots_band2 ON snapshots(band2) INCLUDE (simhash);
            CREATE INDEX ix_snapshots_band3 ON snapshots(band3) INCLUDE (simhash);
            """),
        (5, "frontier claims walk indexes in claim order; host slots kept at enqueue", """
            -- claims read due pages in (depth, next_attempt_at, id) order straight off an index, for the run and for
            -- one host, instead of sorting every due page of the run on each claim
            CREATE INDEX ix_frontier_due ON frontier(run_id, state, depth, next_attempt_at, id);
            CREATE INDEX ix_frontier_host_due ON frontier(run_id, host, state, depth, next_attempt_at, id);
            -- host slots are now created when a host's first page is queued, no longer looked for on every claim
            INSERT INTO host_slots(host, next_allowed_at)
            SELECT DISTINCT host, '-infinity'::timestamptz FROM frontier
            ON CONFLICT (host) DO NOTHING;
            """),
    ];
}
