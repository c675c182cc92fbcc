using System.Text;
using Crawler.FixtureSite;
using Crawler.Worker.Fetching;
using Crawler.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Crawler.Worker.Tests.Fetching;

/// <summary>The fetch stage against the fixture site on 127.0.0.1, each fault with its exact outcome.</summary>
public sealed class PageFetcherTests : IAsyncLifetime
{
    private NewsSite _site = null!;
    private TestWorker _worker = null!;

    private PageFetcher Fetcher => _worker.Services.GetRequiredService<PageFetcher>();

    public async Task InitializeAsync()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { RetryAfterSeconds = 1 });
        _worker = await TestWorker.StartAsync(_site);
    }

    public async Task DisposeAsync()
    {
        _worker.Dispose();
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task Server_errors_that_pass_are_retried_within_the_call()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/flaky/500-twice.html"), default);
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(3, _site.RequestsTo("/news/flaky/500-twice.html"));
    }

    [Fact]
    public async Task Retries_honour_retry_after()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/a/throttled.html"), default);
        Assert.Equal(FetchStatus.Ok, result.Status);
        var times = _site.RequestTimes("/news/a/throttled.html");
        Assert.Equal(2, times.Count);
        // the backoff alone would be ~50 ms; the server asked for a second
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(950), $"second request came after {(times[1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_retry_after_longer_than_we_wait_in_a_call_is_handed_to_the_queue()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { RetryAfterSeconds = 3600 });
        using var worker = await TestWorker.StartAsync(site);
        var before = DateTimeOffset.UtcNow;
        var result = await worker.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri(site.BaseUrl, "news/a/throttled.html"), default);
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.Equal(429, result.StatusCode);
        Assert.Equal(1, site.RequestsTo("/news/a/throttled.html"));
        Assert.InRange(result.RetryAt!.Value, before.AddMinutes(59), before.AddMinutes(61));
    }

    [Fact]
    public async Task A_page_that_always_fails_is_a_transient_failure_after_the_retries()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/a/broken.html"), default);
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.Equal(500, result.StatusCode);
        Assert.Equal(3, _site.RequestsTo("/news/a/broken.html"));
    }

    [Fact]
    public async Task A_connection_reset_is_a_transient_failure()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/a/reset.html"), default);
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.Equal(3, _site.RequestsTo("/news/a/reset.html"));
    }

    [Fact]
    public async Task Redirects_are_followed_and_the_final_url_recorded()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/r/2.html"), default);
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(new Uri(_site.BaseUrl, "news/a/2.html"), result.FinalUrl);
        Assert.Equal(new Uri(_site.BaseUrl, "news/r/2.html"), result.RequestedUrl);
    }

    [Fact]
    public async Task A_redirect_loop_is_a_permanent_failure()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/loop/a.html"), default);
        Assert.Equal(FetchStatus.PermanentFailure, result.Status);
        Assert.Contains("redirect loop", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, _site.RequestsTo("/news/loop/a.html"));
    }

    [Fact]
    public async Task Gone_is_permanent_and_not_retried()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/gone.html"), default);
        Assert.Equal(FetchStatus.PermanentFailure, result.Status);
        Assert.Equal(410, result.StatusCode);
        Assert.Equal(1, _site.RequestsTo("/news/gone.html"));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_skipped_as_too_large()
    {
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:MaxBodyBytes"] = "1024");
        var result = await worker.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri(_site.BaseUrl, "news/a/1.html"), default);
        Assert.Equal(FetchStatus.Skipped, result.Status);
        Assert.StartsWith("too large", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_dead_host_is_a_transient_failure_with_a_clear_error()
    {
        // a loopback port nobody listens on: connection refused, no traffic leaves the machine
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var result = await Fetcher.FetchAsync(new Uri($"http://127.0.0.1:{port}/news/a/1.html"), default);
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.Contains("refused", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_header_charset_of_a_gbk_page_is_reported_for_decoding()
    {
        var result = await Fetcher.FetchAsync(new Uri(_site.BaseUrl, "news/gbk-header/1.html"), default);
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal("GBK", result.Charset);
        var text = Encoding.GetEncoding("GBK").GetString(result.Body!);
        Assert.Contains("港口货物吞吐量创新高", text, StringComparison.Ordinal);
    }
}
