using Crawler.Storage.Frontier;
using Crawler.Storage.Runs;
using Crawler.Storage.Snapshots;

namespace Crawler.Storage.Tests;

/// <summary>
/// What every <see cref="ICrawlStore"/> must do. Each backend runs this same class against a real database.
/// </summary>
public abstract class CrawlStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy ThreeTries = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    protected ICrawlStore Store { get; private set; } = null!;

    protected abstract Task<ICrawlStore> CreateStoreAsync();

    protected virtual Task DropStoreAsync() => Task.CompletedTask;

    /// <summary>Another store object on the same database: what a second worker process has.</summary>
    protected abstract ICrawlStore OpenSameStore();

    /// <summary>A raw capture's body as the backend holds it: its encoding and bytes, read with the backend's SQL.</summary>
    protected abstract Task<(string Encoding, byte[] Bytes)> StoredRawBodyAsync(long snapshotId);

    private readonly List<ICrawlStore> _others = [];

    /// <summary>Like <see cref="OpenSameStore"/>, disposed with the test.</summary>
    protected ICrawlStore AnotherWorker()
    {
        var store = OpenSameStore();
        _others.Add(store);
        return store;
    }

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _others.Prepend(Store))
        {
            (store as IDisposable)?.Dispose();
        }

        await DropStoreAsync();
    }

    [SkippableFact]
    public async Task Migrating_twice_keeps_the_data()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Store.MigrateAsync();
        var again = await Store.StartOrResumeRunAsync("s", T0);
        Assert.Equal(run.Id, again.Id);
        Assert.True(again.Resumed);
    }

    [SkippableFact]
    public async Task Workers_migrating_at_once_all_succeed_and_share_one_schema()
    {
        var workers = Enumerable.Range(0, 4).Select(_ => AnotherWorker()).ToList();
        await Task.WhenAll(workers.Select(w => Task.Run(() => w.MigrateAsync())));
        var run = await workers[0].StartOrResumeRunAsync("s", T0);
        Assert.Equal(run.Id, (await workers[3].StartOrResumeRunAsync("s", T0)).Id);
    }

    [SkippableFact]
    public async Task Workers_claiming_at_once_never_lease_the_same_page()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        var urls = Enumerable.Range(0, 300).Select(i => $"http://h{i % 7}/{i}").ToArray();
        Assert.Equal(300, await Enqueue(run.Id, 1000, urls));
        var workers = Enumerable.Range(0, 6).Select(_ => AnotherWorker()).ToList();
        var claims = await Task.WhenAll(workers.Select((w, n) => Task.Run(async () =>
        {
            var mine = new List<long>();
            while ((await w.ClaimAsync(run.Id, 7, $"w{n}", TimeSpan.FromMinutes(1), T0)) is { Count: > 0 } leases)
            {
                mine.AddRange(leases.Select(l => l.Id));
            }

            return mine;
        })));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(300, all.Count);
        Assert.Equal(300, all.Distinct().Count());
    }

    [SkippableFact]
    public async Task One_story_saved_by_two_workers_at_once_is_stored_once()
    {
        var (a, b) = (AnotherWorker(), AnotherWorker());
        for (var round = 0; round < 10; round++)
        {
            var text = $"the same agency story, round {round}";
            var results = await Task.WhenAll(
                Task.Run(() => a.SaveSnapshotAsync(Snap($"http://one.example/{round}", text), null, T0)),
                Task.Run(() => b.SaveSnapshotAsync(Snap($"http://two.example/{round}", text), null, T0)));
            Assert.Single(results, r => r.Outcome == SnapshotWriteOutcome.Created);
            Assert.Single(results, r => r.Outcome == SnapshotWriteOutcome.Duplicate);
            Assert.Equal(results[0].SnapshotId, results[1].SnapshotId);
        }
    }

    [SkippableFact]
    public async Task Stats_count_the_open_queue_dead_letters_and_snapshots()
    {
        Assert.Equal(new StoreStats(0, 0, 0), await Store.GetStatsAsync());
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/1", "http://a/2", "http://a/3");
        var leases = await Store.ClaimAsync(run.Id, 2, "w", TimeSpan.FromMinutes(1), T0);
        await Store.SaveSnapshotAsync(Snap(leases[0].Url, "text one"), leases[0], T0);
        await Store.RecordFailureAsync(leases[1], "gone", new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), null, T0);
        Assert.Equal(new StoreStats(QueueDepth: 1, DeadLettered: 1, Snapshots: 1), await Store.GetStatsAsync());

        await Store.FinishRunAsync(run.Id, T0);
        Assert.Equal(0, (await Store.GetStatsAsync()).QueueDepth); // a finished run's leftovers wait for the next run
    }

    [SkippableFact]
    public async Task A_url_already_queued_in_the_run_is_not_queued_twice()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        Assert.Equal(2, await Enqueue(run.Id, "http://a/1", "http://a/2"));
        Assert.Equal(0, await Enqueue(run.Id, "http://a/1", "http://a/2"));
        var leases = await Store.ClaimAsync(run.Id, 10, "w", TimeSpan.FromMinutes(1), T0);
        Assert.Equal(2, leases.Count);
        await Store.CompleteAsync(leases[0], PageOutcome.Listed, null, T0);
        Assert.Equal(0, await Enqueue(run.Id, "http://a/1"));
    }

    [SkippableFact]
    public async Task A_run_queues_no_more_than_max_pages()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        Assert.Equal(3, await Enqueue(run.Id, maxPages: 3, "http://a/1", "http://a/2", "http://a/3", "http://a/4"));
        Assert.Equal(0, await Enqueue(run.Id, maxPages: 3, "http://a/5"));
        Assert.Equal(3, (await Store.GetRunTallyAsync(run.Id)).Queued);
    }

    [SkippableFact]
    public async Task Claimed_pages_are_not_claimed_again_until_their_lease_expires()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Store.EnqueueAsync(run.Id, "s", [new("http://a/deep", PageKind.Article, 2), new("http://a/seed", PageKind.Seed, 0)], 100, TimeSpan.Zero, T0);
        var first = await Store.ClaimAsync(run.Id, 1, "w1", TimeSpan.FromMinutes(1), T0);
        Assert.Equal("http://a/seed", Assert.Single(first).Url);
        var second = await Store.ClaimAsync(run.Id, 10, "w2", TimeSpan.FromMinutes(1), T0);
        Assert.Equal("http://a/deep", Assert.Single(second).Url);
        Assert.Empty(await Store.ClaimAsync(run.Id, 10, "w3", TimeSpan.FromMinutes(1), T0.AddSeconds(30)));

        var takenOver = await Store.ClaimAsync(run.Id, 10, "w3", TimeSpan.FromMinutes(1), T0.AddMinutes(2));
        Assert.Equal(2, takenOver.Count);
        Assert.All(takenOver, l => Assert.Equal("w3", l.Owner));
    }

    [SkippableFact]
    public async Task A_failing_page_is_retried_later_with_growing_delay_then_dead_lettered()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/broken");

        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0));
        var first = await Store.RecordFailureAsync(lease, "HTTP 500", ThreeTries, null, T0);
        Assert.Equal(FailureDisposition.RetryScheduled, first.Disposition);
        Assert.Equal(T0.AddSeconds(10), first.NextAttemptAt);
        Assert.Empty(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0.AddSeconds(9)));
        Assert.Equal(T0.AddSeconds(10), await Store.GetNextDueAsync(run.Id));

        lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0.AddSeconds(10)));
        Assert.Equal(1, lease.Attempts);
        var second = await Store.RecordFailureAsync(lease, "HTTP 503", ThreeTries, null, T0.AddSeconds(10));
        Assert.Equal(T0.AddSeconds(30), second.NextAttemptAt);

        lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0.AddSeconds(30)));
        var third = await Store.RecordFailureAsync(lease, "connection reset", ThreeTries, null, T0.AddSeconds(30));
        Assert.Equal(FailureDisposition.DeadLettered, third.Disposition);
        Assert.Equal(3, third.Attempts);
        Assert.Null(await Store.GetNextDueAsync(run.Id));

        var dead = Assert.Single(await Store.GetFailuresAsync(run.Id));
        Assert.Equal(FrontierState.Dead, dead.State);
        Assert.Equal("connection reset", dead.LastError);
        Assert.Equal(1, (await Store.GetRunTallyAsync(run.Id)).DeadLettered);
    }

    [SkippableFact]
    public async Task A_retry_after_later_than_the_backoff_is_honoured()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/busy");
        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0));
        var result = await Store.RecordFailureAsync(lease, "HTTP 429", ThreeTries, T0.AddMinutes(10), T0);
        Assert.Equal(T0.AddMinutes(10), result.NextAttemptAt);
    }

    [SkippableFact]
    public async Task A_released_page_is_pending_again_without_an_attempt_counted()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/1");
        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromHours(1), T0));
        await Store.ReleaseAsync(lease);
        var again = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w2", TimeSpan.FromHours(1), T0));
        Assert.Equal(0, again.Attempts);
    }

    [SkippableFact]
    public async Task Leases_of_a_dead_worker_can_be_handed_back_at_once()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/1", "http://a/2");
        await Store.ClaimAsync(run.Id, 2, "dead-worker", TimeSpan.FromHours(1), T0);
        Assert.Equal(["dead-worker"], await Store.GetLeaseOwnersAsync());
        Assert.Equal(2, await Store.ReleaseLeasesOfAsync(["dead-worker"]));
        Assert.Equal(2, (await Store.ClaimAsync(run.Id, 10, "w", TimeSpan.FromHours(1), T0)).Count);
    }

    [SkippableFact]
    public async Task A_new_run_queues_crawled_urls_again_but_dead_ones_only_after_the_retry_period()
    {
        var run1 = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run1.Id, "http://a/ok", "http://a/dead");
        foreach (var lease in await Store.ClaimAsync(run1.Id, 2, "w", TimeSpan.FromHours(1), T0))
        {
            if (lease.Url.EndsWith("ok", StringComparison.Ordinal))
            {
                await Store.CompleteAsync(lease, PageOutcome.Listed, null, T0);
            }
            else
            {
                await Store.RecordFailureAsync(lease, "gone", new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), null, T0);
            }
        }

        await Store.FinishRunAsync(run1.Id, T0);
        var run2 = await Store.StartOrResumeRunAsync("s", T0.AddHours(1));
        Assert.NotEqual(run1.Id, run2.Id);
        Assert.False(run2.Resumed);
        Assert.Equal(1, await Store.EnqueueAsync(run2.Id, "s", [new("http://a/ok", PageKind.Seed, 0), new("http://a/dead", PageKind.Article, 1)], 100, TimeSpan.FromDays(1), T0.AddHours(1)));

        var run3 = await FinishAndStartAgain(run2.Id, T0.AddDays(2));
        Assert.Equal(2, await Store.EnqueueAsync(run3, "s", [new("http://a/ok", PageKind.Seed, 0), new("http://a/dead", PageKind.Article, 1)], 100, TimeSpan.FromDays(1), T0.AddDays(2)));
    }

    [SkippableFact]
    public async Task Claims_pass_over_hosts_that_are_busy()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://slow.example/1", "http://slow.example/2", "http://fast.example:8080/1");
        var leases = await Store.ClaimAsync(run.Id, 10, "w", TimeSpan.FromMinutes(1), T0, busyHosts: ["slow.example"]);
        Assert.Equal("http://fast.example:8080/1", Assert.Single(leases).Url);
        Assert.Equal(2, (await Store.ClaimAsync(run.Id, 10, "w", TimeSpan.FromMinutes(1), T0, busyHosts: ["fast.example:8080"])).Count);
    }

    [SkippableFact]
    public async Task A_deferred_page_waits_without_an_attempt_counted()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/1");
        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0));
        await Store.DeferAsync(lease, T0.AddMinutes(10), "robots.txt unreachable");
        Assert.Empty(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0.AddMinutes(9)));
        Assert.Equal(T0.AddMinutes(10), await Store.GetNextDueAsync(run.Id));
        var again = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0.AddMinutes(10)));
        Assert.Equal(0, again.Attempts);
    }

    [SkippableFact]
    public async Task Validators_of_a_whole_fetch_come_back_with_the_next_claim()
    {
        var run1 = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run1.Id, "http://a/1");
        var lease = Assert.Single(await Store.ClaimAsync(run1.Id, 1, "w", TimeSpan.FromMinutes(1), T0));
        Assert.Null(lease.Validators);
        await Store.CompleteAsync(lease with { Validators = new HttpValidators("\"v1\"", "Tue, 24 Nov 2026 08:00:00 GMT") }, PageOutcome.Snapshot, null, T0);

        var run2 = await FinishAndStartAgain(run1.Id, T0.AddHours(1));
        await Store.EnqueueAsync(run2, "s", [new("http://a/1", PageKind.Article, 1)], 100, TimeSpan.FromDays(1), T0.AddHours(1));
        var next = Assert.Single(await Store.ClaimAsync(run2, 1, "w", TimeSpan.FromMinutes(1), T0.AddHours(1)));
        Assert.Equal(new HttpValidators("\"v1\"", "Tue, 24 Nov 2026 08:00:00 GMT"), next.Validators);

        // a 304 settles the lease as claimed: the validators stay for the fetch after that
        await Store.CompleteAsync(next, PageOutcome.Unchanged, "304 not modified", T0.AddHours(1));
        var run3 = await FinishAndStartAgain(run2, T0.AddHours(2));
        await Store.EnqueueAsync(run3, "s", [new("http://a/1", PageKind.Article, 1)], 100, TimeSpan.FromDays(1), T0.AddHours(2));
        var third = Assert.Single(await Store.ClaimAsync(run3, 1, "w", TimeSpan.FromMinutes(1), T0.AddHours(2)));
        Assert.Equal(new HttpValidators("\"v1\"", "Tue, 24 Nov 2026 08:00:00 GMT"), third.Validators);
    }

    [SkippableFact]
    public async Task A_sitemap_lastmod_not_newer_than_the_last_fetch_skips_the_page()
    {
        var run1 = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run1.Id, "http://a/old", "http://a/new");
        foreach (var lease in await Store.ClaimAsync(run1.Id, 2, "w", TimeSpan.FromMinutes(1), T0))
        {
            await Store.CompleteAsync(lease, PageOutcome.Listed, null, T0);
        }

        var run2 = await FinishAndStartAgain(run1.Id, T0.AddDays(1));
        var queued = await Store.EnqueueAsync(run2, "s",
            [new("http://a/old", PageKind.Article, 1, LastModified: T0.AddHours(-1)), new("http://a/new", PageKind.Article, 1, LastModified: T0.AddHours(1))],
            100, TimeSpan.FromDays(1), T0.AddDays(1));
        Assert.Equal(1, queued);
        Assert.Equal("http://a/new", Assert.Single(await Store.ClaimAsync(run2, 10, "w", TimeSpan.FromMinutes(1), T0.AddDays(1))).Url);
    }

    [SkippableFact]
    public async Task Only_unfinished_runs_are_listed_for_resuming()
    {
        var a = await Store.StartOrResumeRunAsync("a", T0);
        var b = await Store.StartOrResumeRunAsync("b", T0);
        await Store.FinishRunAsync(a.Id, T0);
        var open = Assert.Single(await Store.GetUnfinishedRunsAsync());
        Assert.Equal(b.Id, open.Id);
    }

    [SkippableFact]
    public async Task Same_content_again_makes_no_new_version_and_changed_content_makes_version_2()
    {
        var first = await Store.SaveSnapshotAsync(Snap("http://a/story", "v1 text"), null, T0);
        Assert.Equal(new SnapshotWriteResult(SnapshotWriteOutcome.Created, first.SnapshotId, 1), first);

        var same = await Store.SaveSnapshotAsync(Snap("http://a/story", "v1 text"), null, T0.AddHours(1));
        Assert.Equal(SnapshotWriteOutcome.Unchanged, same.Outcome);
        Assert.Equal(first.SnapshotId, same.SnapshotId);

        var changed = await Store.SaveSnapshotAsync(Snap("http://a/story", "v2 text"), null, T0.AddHours(2));
        Assert.Equal(SnapshotWriteOutcome.Created, changed.Outcome);
        Assert.Equal(2, changed.Version);

        var versions = await Store.GetVersionsAsync("http://a/story");
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(changed.SnapshotId, (await Store.GetLatestSnapshotAsync("http://a/story"))!.Id);
        Assert.Equal("v1 text", (await Store.GetSnapshotAsync(first.SnapshotId))!.Blocks[0].Text);
    }

    [SkippableFact]
    public async Task Identical_content_at_another_url_is_linked_to_the_first_snapshot_not_stored_again()
    {
        var original = await Store.SaveSnapshotAsync(Snap("http://a/story", "agency text"), null, T0);
        var copy = await Store.SaveSnapshotAsync(Snap("http://a/mirror/story", "agency text"), null, T0);
        Assert.Equal(SnapshotWriteOutcome.Duplicate, copy.Outcome);
        Assert.Equal(original.SnapshotId, copy.SnapshotId);
        Assert.Empty(await Store.GetVersionsAsync("http://a/mirror/story"));
        Assert.Equal(original.SnapshotId, (await Store.GetLatestSnapshotAsync("http://a/mirror/story"))!.Id);
    }

    [SkippableFact]
    public async Task Saving_a_snapshot_settles_its_lease_in_the_same_transaction()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://a/story");
        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0));
        await Store.SaveSnapshotAsync(Snap("http://a/story", "text"), lease, T0);
        var tally = await Store.GetRunTallyAsync(run.Id);
        Assert.Equal(1, tally.Snapshots);
        Assert.Equal(0, tally.Leased);
        Assert.Null(await Store.GetNextDueAsync(run.Id));
    }

    [SkippableFact]
    public async Task A_snapshot_without_its_original_url_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveSnapshotAsync(Snap("http://a/story", "text") with { OriginalUrl = " " }, null, T0));
        Assert.Null(await Store.GetLatestSnapshotAsync("http://a/story"));
    }

    [SkippableFact]
    public async Task Every_field_of_a_snapshot_round_trips()
    {
        var published = new DateTimeOffset(2023, 9, 20, 15, 50, 0, TimeSpan.FromHours(8));
        var snapshot = Snap("http://a/纳卡", "阿塞拜疆国防部19日在纳卡地区发起军事行动。") with
        {
            Title = "纳卡局势再紧张 阿塞拜疆发起军事行动",
            PublishedAt = published,
            PublishedText = "2023-09-20 15:50:00",
            Publisher = "新华社",
            Category = "国际",
            Author = "李明",
            Language = "zh",
            Blocks = [new(SnapshotBlockKind.Heading, "【局势再升级】"), new(SnapshotBlockKind.Paragraph, "正文"), new(SnapshotBlockKind.Caption, "图说")],
            ImageCaptions = ["图说"],
            Keywords = ["纳戈尔诺-卡拉巴赫"],
            Links = ["http://a/other"],
        };
        var saved = await Store.SaveSnapshotAsync(snapshot, null, T0);
        var read = await Store.GetSnapshotAsync(saved.SnapshotId);
        Assert.NotNull(read);
        Assert.Equal(snapshot with { Id = saved.SnapshotId, Version = 1, Blocks = read.Blocks, ImageCaptions = read.ImageCaptions, Keywords = read.Keywords, Links = read.Links }, read);
        Assert.Equal(snapshot.Blocks, read.Blocks);
        Assert.Equal(snapshot.ImageCaptions, read.ImageCaptions);
        Assert.Equal(snapshot.Keywords, read.Keywords);
        Assert.Equal(snapshot.Links, read.Links);
        Assert.Equal(published, read.PublishedAt);
        Assert.Equal(TimeSpan.FromHours(8), read.PublishedAt!.Value.Offset);
    }

    [Fact]
    public async Task A_taken_down_url_loses_its_snapshots_and_only_a_tombstone_remains()
    {
        var first = await Store.SaveSnapshotAsync(Snap("http://a/story", "text"), null, T0);
        await Store.SaveSnapshotAsync(Snap("http://a/story", "text, edited"), null, T0);
        await Store.SaveSnapshotAsync(Snap("http://a/mirror", "text, edited"), null, T0); // linked to version 2
        var kept = await Store.SaveSnapshotAsync(Snap("http://a/other", "other"), null, T0);

        var takedown = await Store.TakeDownAsync("http://a/story", "court order 12/2026", "legal", T0);

        Assert.Equal(2, takedown.SnapshotsRemoved);
        Assert.Null(await Store.GetSnapshotAsync(first.SnapshotId));
        Assert.Null(await Store.GetLatestSnapshotAsync("http://a/story"));
        Assert.Null(await Store.GetLatestSnapshotAsync("http://a/mirror"));
        Assert.Empty(await Store.GetVersionsAsync("http://a/story"));
        Assert.NotNull(await Store.GetSnapshotAsync(kept.SnapshotId));
        var tombstone = Assert.Single(await Store.GetTakedownsAsync());
        Assert.Equal(("http://a/story", "court order 12/2026", "legal", 2), (tombstone.Pattern, tombstone.Reason, tombstone.RequestedBy, tombstone.SnapshotsRemoved));
        Assert.Equal(T0, tombstone.At);
    }

    [Fact]
    public async Task A_wildcard_takedown_removes_every_matching_url_and_nothing_else()
    {
        await Store.SaveSnapshotAsync(Snap("http://a/2026/one", "one"), null, T0);
        await Store.SaveSnapshotAsync(Snap("http://a/2026/two", "two"), null, T0);
        var kept = await Store.SaveSnapshotAsync(Snap("http://a/2025/three", "three"), null, T0);

        var takedown = await Store.TakeDownAsync("http://a/2026/*", "author request", "ops", T0);

        Assert.Equal(2, takedown.SnapshotsRemoved);
        Assert.Null(await Store.GetLatestSnapshotAsync("http://a/2026/one"));
        Assert.Null(await Store.GetLatestSnapshotAsync("http://a/2026/two"));
        Assert.Equal(kept.SnapshotId, (await Store.GetLatestSnapshotAsync("http://a/2025/three"))!.Id);
    }

    [Fact]
    public async Task Taken_down_urls_are_neither_queued_nor_claimed()
    {
        var run = await Store.StartOrResumeRunAsync("s", T0);
        Assert.Equal(3, await Enqueue(run.Id, "http://a/gone/1", "http://a/gone/leased", "http://a/kept"));
        // a worker that died holding the lease: the page comes back at the next claim, and must not be fetched then
        Assert.Single(await Store.ClaimAsync(run.Id, 1, "dead-worker", TimeSpan.FromMinutes(1), T0));

        await Store.TakeDownAsync("http://a/gone/*", "privacy", "ops", T0);

        var leases = await Store.ClaimAsync(run.Id, 10, "w", TimeSpan.FromMinutes(1), T0.AddMinutes(2));
        Assert.Equal(["http://a/kept"], leases.Select(l => l.Url));
        var next = await FinishAndStartAgain(run.Id, T0.AddHours(1));
        Assert.Equal(0, await Store.EnqueueAsync(next, "s", [new FrontierRequest("http://a/gone/2", PageKind.Article, 1)], 100, TimeSpan.FromDays(1), T0.AddHours(1)));
        Assert.Empty(await Store.ClaimAsync(next, 10, "w", TimeSpan.FromMinutes(1), T0.AddHours(1)));
    }

    [Fact]
    public async Task A_new_version_keeps_its_raw_response_and_an_unchanged_recheck_adds_none()
    {
        var body = System.Text.Encoding.GetEncoding("utf-8").GetBytes("<html><p>港口 " + new string('x', 5000) + "</p></html>");
        var raw = new Archive.RawCapture("http://a/story", 200, "OK",
            [new("Content-Type", "text/html; charset=gbk"), new("Set-Cookie", "a=1"), new("Set-Cookie", "b=2")], body, T0);
        var first = await Store.SaveSnapshotAsync(Snap("http://a/story", "text") with { Raw = raw }, null, T0);
        var again = await Store.SaveSnapshotAsync(Snap("http://a/story", "text") with { Raw = raw with { FetchedAt = T0.AddHours(1) } }, null, T0.AddHours(1));
        var second = await Store.SaveSnapshotAsync(Snap("http://a/story", "text, edited") with { Raw = raw with { FetchedAt = T0.AddHours(2) } }, null, T0.AddHours(2));

        Assert.Equal(SnapshotWriteOutcome.Unchanged, again.Outcome);
        var read = await Store.GetRawCaptureAsync(first.SnapshotId);
        Assert.NotNull(read);
        Assert.Equal(body, read.Body);
        Assert.Equal(raw.Headers, read.Headers);
        Assert.Equal(("http://a/story", 200, "OK", T0, "gbk"), (read.TargetUrl, read.StatusCode, read.ReasonPhrase, read.FetchedAt, read.Charset));
        Assert.Equal([first.SnapshotId, second.SnapshotId], (await Store.GetCapturesAsync(null, null, latestOnly: false)).Select(e => e.SnapshotId));
        Assert.Equal([second.SnapshotId], (await Store.GetCapturesAsync("s", null, latestOnly: true)).Select(e => e.SnapshotId));
        Assert.Equal([second.SnapshotId], (await Store.GetCapturesAsync(null, T0.AddHours(1), latestOnly: false)).Select(e => e.SnapshotId));
        Assert.Empty(await Store.GetCapturesAsync("other", null, latestOnly: false));

        await Store.TakeDownAsync("http://a/story", "request", "ops", T0);
        Assert.Null(await Store.GetRawCaptureAsync(first.SnapshotId));
        Assert.Empty(await Store.GetCapturesAsync(null, null, latestOnly: false));
    }

    [SkippableFact]
    public async Task A_body_sent_compressed_is_stored_as_it_came_and_one_sent_plain_is_compressed_by_the_store()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("<html><p>" + string.Concat(Enumerable.Repeat("harbour cargo ", 400)) + "</p></html>");
        using var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        var raw = new Archive.RawCapture("http://a/sent-gzip", 200, "OK", [new("Content-Type", "text/html")], body, T0)
        {
            Compressed = new Archive.CompressedBody(Archive.RawBody.Gzip, gzipped.ToArray()),
        };
        var sentGzip = await Store.SaveSnapshotAsync(Snap("http://a/sent-gzip", "text") with { Raw = raw }, null, T0);
        var sentPlain = await Store.SaveSnapshotAsync(Snap("http://a/sent-plain", "other text") with { Raw = raw with { TargetUrl = "http://a/sent-plain", Compressed = null } }, null, T0);

        var (encoding, stored) = await StoredRawBodyAsync(sentGzip.SnapshotId);
        Assert.Equal(Archive.RawBody.Gzip, encoding);
        Assert.Equal(gzipped.ToArray(), stored);
        var readBack = await Store.GetRawCaptureAsync(sentGzip.SnapshotId);
        Assert.Equal(body, readBack!.Body);
        // a re-extraction saves what it read back: the stored bytes go with it rather than being compressed again
        Assert.Equal(Archive.RawBody.Gzip, readBack.Compressed!.Encoding);
        Assert.Equal(gzipped.ToArray(), readBack.Compressed.Bytes);
        (encoding, stored) = await StoredRawBodyAsync(sentPlain.SnapshotId);
        Assert.Equal(Archive.RawBody.Brotli, encoding);
        Assert.Equal(body, Archive.RawBody.Decompress(encoding, stored));
        Assert.Equal(body, (await Store.GetRawCaptureAsync(sentPlain.SnapshotId))!.Body);
    }

    [Fact]
    public async Task A_near_duplicate_at_another_url_is_kept_and_linked_to_the_snapshot_it_nearly_repeats()
    {
        const ulong story = 0x0123_4567_89AB_CDEF;
        var original = await Store.SaveSnapshotAsync(Snap("http://a/story", "text") with { SimHash = story }, null, T0);
        // three bits apart, all in bands 0-2: only band 3 is equal, which is all the index needs
        const ulong edited = story ^ 0x0000_0001_0001_0001;
        var copy = await Store.SaveSnapshotAsync(Snap("http://b/copy", "text, edited") with { SimHash = edited }, null, T0);
        // four bits apart, one in each band: neither near nor a candidate
        var other = await Store.SaveSnapshotAsync(Snap("http://c/other", "other") with { SimHash = story ^ 0x0002_0002_0002_0002 }, null, T0);
        // the URL's own next version is a version, not a near duplicate
        var version2 = await Store.SaveSnapshotAsync(Snap("http://a/story", "text v2") with { SimHash = story ^ (1UL << 63) }, null, T0);

        Assert.Null(original.NearDuplicateOf);
        Assert.Equal(SnapshotWriteOutcome.Created, copy.Outcome);
        Assert.Equal(original.SnapshotId, copy.NearDuplicateOf);
        Assert.Null(other.NearDuplicateOf);
        Assert.Null(version2.NearDuplicateOf);
        Assert.Equal(edited, (await Store.GetSnapshotAsync(copy.SnapshotId))!.SimHash);

        var found = await Store.FindNearDuplicateAsync(edited ^ (1UL << 63), "http://d/new");
        Assert.NotNull(found);
        Assert.Equal((copy.SnapshotId, "http://b/copy", 1), (found.SnapshotId, found.CanonicalUrl, found.Distance));
        Assert.Null(await Store.FindNearDuplicateAsync(~story, "http://d/new"));
    }

    [Fact]
    public async Task A_near_duplicate_not_stored_is_linked_and_settles_its_lease()
    {
        var original = await Store.SaveSnapshotAsync(Snap("http://a/story", "text"), null, T0);
        var run = await Store.StartOrResumeRunAsync("s", T0);
        await Enqueue(run.Id, "http://b/copy");
        var lease = Assert.Single(await Store.ClaimAsync(run.Id, 1, "w", TimeSpan.FromMinutes(1), T0));

        await Store.RecordNearDuplicateAsync("http://b/copy", "s", original.SnapshotId, lease, "near duplicate", T0);

        Assert.Equal(original.SnapshotId, (await Store.GetLatestSnapshotAsync("http://b/copy"))!.Id);
        Assert.Empty(await Store.GetVersionsAsync("http://b/copy"));
        var tally = await Store.GetRunTallyAsync(run.Id);
        Assert.Equal((1, 0), (tally.Duplicates, tally.Leased));
        // a takedown of the original leaves the link pointing nowhere, not at deleted content
        await Store.TakeDownAsync("http://a/story", "request", "ops", T0);
        Assert.Null(await Store.GetLatestSnapshotAsync("http://b/copy"));
    }

    private async Task<long> FinishAndStartAgain(long runId, DateTimeOffset at)
    {
        await Store.FinishRunAsync(runId, at);
        return (await Store.StartOrResumeRunAsync("s", at)).Id;
    }

    private Task<int> Enqueue(long runId, params string[] urls) => Enqueue(runId, 100, urls);

    private Task<int> Enqueue(long runId, int maxPages, params string[] urls) =>
        Store.EnqueueAsync(runId, "s", urls.Select(u => new FrontierRequest(u, PageKind.Article, 1)).ToList(), maxPages, TimeSpan.FromDays(1), T0);

    protected static Snapshot Snap(string url, string text) => new()
    {
        Source = "s",
        CanonicalUrl = url,
        OriginalUrl = url,
        FinalUrl = url,
        Title = "Title",
        Blocks = [new SnapshotBlock(SnapshotBlockKind.Paragraph, text)],
        SiteName = "example.org",
        Disclaimer = "disclaimer",
        TakedownNotice = "takedown",
        GeneratedAt = T0,
        ContentHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))),
    };
}
