using Crawler.FixtureSite;
using Crawler.Worker.Crawling;
using Crawler.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Crawler.Worker.Tests.Crawling;

/// <summary>One story at several URLs, through the real fetch, extraction and store.</summary>
public sealed class NearDuplicateTests
{
    [Fact]
    public async Task One_story_at_three_urls_is_stored_once_linked_exactly_and_linked_as_a_near_duplicate()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site);

        var (original, syndicated, edited) = await ProcessInOrderAsync(worker, site);

        Assert.Equal(PageDisposition.Snapshot, original.Disposition);
        // other layout and boilerplate, same text: linked to the original, not stored again
        Assert.Equal(PageDisposition.Duplicate, syndicated.Disposition);
        Assert.Equal(original.SnapshotId, syndicated.SnapshotId);
        // one figure corrected: kept (policy Link), and the page names the snapshot it nearly repeats
        Assert.Equal(PageDisposition.Snapshot, edited.Disposition);
        Assert.Equal($"near duplicate of snapshot {original.SnapshotId}", edited.Detail);
        Assert.Equal(2L, worker.Count("snapshots"));
        Assert.Equal(original.SnapshotId, worker.Scalar("SELECT duplicate_of FROM pages WHERE canonical_url = $u", ("$u", Url(site, "syndicated"))));
        Assert.Equal(original.SnapshotId, worker.Scalar("SELECT near_duplicate_of FROM pages WHERE canonical_url = $u", ("$u", Url(site, "edited"))));
        Assert.Equal(DBNull.Value, worker.Scalar("SELECT near_duplicate_of FROM pages WHERE canonical_url = $u", ("$u", Url(site, "a"))));
    }

    [Fact]
    public async Task A_source_with_near_duplicates_skip_does_not_store_the_edited_copy()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s => s["Crawler:Sources:0:NearDuplicates"] = "Skip");

        var (original, syndicated, edited) = await ProcessInOrderAsync(worker, site);

        Assert.Equal(PageDisposition.Duplicate, syndicated.Disposition);
        Assert.Equal(PageDisposition.Duplicate, edited.Disposition);
        Assert.Equal(original.SnapshotId, edited.SnapshotId);
        Assert.StartsWith($"near duplicate of snapshot {original.SnapshotId}", edited.Detail, StringComparison.Ordinal);
        // stored once, plus two links: one exact, one near
        Assert.Equal(1L, worker.Count("snapshots"));
        Assert.Equal(original.SnapshotId, worker.Scalar("SELECT duplicate_of FROM pages WHERE canonical_url = $u", ("$u", Url(site, "syndicated"))));
        Assert.Equal(original.SnapshotId, worker.Scalar("SELECT near_duplicate_of FROM pages WHERE canonical_url = $u", ("$u", Url(site, "edited"))));
        Assert.Equal(original.SnapshotId, (await worker.Store.GetLatestSnapshotAsync(Url(site, "edited")))!.Id);
    }

    [Fact]
    public async Task An_unknown_near_duplicate_policy_stops_the_start_naming_the_key()
    {
        await using var site = await NewsSite.StartAsync();
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            TestWorker.StartAsync(site, s => s["Crawler:Sources:0:NearDuplicates"] = "Drop"));
        Assert.Contains("Crawler:Sources:0:NearDuplicates 'Drop'", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<(PageReport Original, PageReport Syndicated, PageReport Edited)> ProcessInOrderAsync(TestWorker worker, NewsSite site)
    {
        var processor = worker.Services.GetRequiredService<PageProcessor>();
        var reports = new List<PageReport>();
        foreach (var section in new[] { "a", "syndicated", "edited" })
        {
            reports.Add((await processor.ProcessOneAsync(worker.Source, new Uri(Url(site, section)), CancellationToken.None)).Report);
        }

        return (reports[0], reports[1], reports[2]);
    }

    private static string Url(NewsSite site, string section) => new Uri(site.BaseUrl, $"news/{section}/5.html").AbsoluteUri;
}
