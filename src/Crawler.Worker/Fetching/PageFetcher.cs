using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Crawler.Worker.Fetching.Robots;
using Polly.Timeout;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Fetches one page: follows redirects itself (so every hop is seen and loops are caught), reads the body up to a
/// size limit under one deadline, and classifies every failure as transient or permanent. Retries with backoff,
/// Retry-After, timeouts and the per-host circuit breaker live in the HttpClient's resilience pipeline.
/// </summary>
public sealed class PageFetcher(HttpClient http, IOptionsMonitor<FetchOptions> options, HostThrottle throttle, RobotsCache robots, TimeProvider clock, ILogger<PageFetcher> logger)
{
    public const string HttpClientName = "pages";

    private static readonly HashSet<string> Compressions = new(StringComparer.OrdinalIgnoreCase) { "gzip", "x-gzip", "br", "deflate", "zstd", "compress", "x-compress" };

    private static readonly HashSet<string> HtmlTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/html", "application/xhtml+xml", "text/plain",
    };

    private static readonly HashSet<string> FeedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml",
        "application/x-gzip", "application/gzip", "application/octet-stream",
    };

    public Task<FetchResult> FetchAsync(Uri url, CancellationToken cancellationToken) => FetchAsync(url, FetchPolicy.Default, cancellationToken);

    public async Task<FetchResult> FetchAsync(Uri url, FetchPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var o = options.CurrentValue;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(o.TotalTimeout);
        var redirects = new List<Uri>();
        var current = url;
        try
        {
            for (var hop = 0; ; hop++)
            {
                TimeSpan? crawlDelay = null;
                if (policy.RespectRobots)
                {
                    // every hop: a redirect may lead to a path or host that robots.txt closes
                    var verdict = await robots.CheckAsync(current, deadline.Token);
                    if (verdict.RetryAt is { } later)
                    {
                        return FetchResult.Failed(FetchStatus.Deferred, url, current, null, verdict.Reason ?? "robots.txt unavailable", redirects, later);
                    }

                    if (!verdict.Allowed)
                    {
                        return FetchResult.Failed(FetchStatus.Skipped, url, current, null, $"disallowed by robots.txt of {current.Authority}", redirects);
                    }

                    crawlDelay = verdict.CrawlDelay;
                }

                HttpResponseMessage response;
                using (await throttle.AcquireAsync(current.Authority, crawlDelay, deadline.Token))
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, current);
                    if (hop == 0 && policy.Validators is { } held)
                    {
                        // conditional GET: only for the URL the validators belong to, not for a redirect target
                        if (held.ETag is { } etag)
                        {
                            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                        }

                        if (held.LastModified is { } modified)
                        {
                            request.Headers.TryAddWithoutValidation("If-Modified-Since", modified);
                        }
                    }

                    response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    if (status == 304)
                    {
                        return FetchResult.Failed(FetchStatus.NotModified, url, current, status, "not modified since the version held", redirects);
                    }

                    if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                    {
                        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                        redirects.Add(next);
                        if (next == current || redirects.Take(redirects.Count - 1).Contains(next) || next == url)
                        {
                            return FetchResult.Failed(FetchStatus.PermanentFailure, url, next, status, $"redirect loop at {next}", redirects);
                        }

                        if (hop >= o.MaxRedirects)
                        {
                            return FetchResult.Failed(FetchStatus.PermanentFailure, url, next, status, $"more than {o.MaxRedirects} redirects", redirects);
                        }

                        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                        {
                            return FetchResult.Failed(FetchStatus.PermanentFailure, url, next, status, $"redirect to unsupported scheme {next.Scheme}", redirects);
                        }

                        current = next;
                        continue;
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        return Classify(url, current, response, redirects, o);
                    }

                    return await ReadBodyAsync(url, current, response, redirects, o, policy, deadline.Token);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return FetchResult.Failed(FetchStatus.TransientFailure, url, current, null, $"no complete response within {o.TotalTimeout.TotalSeconds:0.#} s", redirects);
        }
        catch (TimeoutRejectedException ex)
        {
            return FetchResult.Failed(FetchStatus.TransientFailure, url, current, null, $"timed out: {ex.Message}", redirects);
        }
        catch (BrokenCircuitException)
        {
            return FetchResult.Failed(FetchStatus.TransientFailure, url, current, null, $"circuit open for {current.Authority} after repeated failures", redirects, clock.GetUtcNow() + o.BreakDuration);
        }
        catch (HttpRequestException ex) when (NetworkGuard.IsBlocked(ex))
        {
            return FetchResult.Failed(FetchStatus.PermanentFailure, url, current, null, Describe(ex), redirects);
        }
        catch (HttpRequestException ex)
        {
            return FetchResult.Failed(FetchStatus.TransientFailure, url, current, (int?)ex.StatusCode, Describe(ex), redirects);
        }
    }

    private FetchResult Classify(Uri url, Uri current, HttpResponseMessage response, List<Uri> redirects, FetchOptions o)
    {
        var status = (int)response.StatusCode;
        var error = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        var transient = status is 408 or 429 or >= 500;
        if (!transient)
        {
            return FetchResult.Failed(FetchStatus.PermanentFailure, url, current, status, error, redirects);
        }

        // A Retry-After too long to wait out in the call (or the retries used up): honour it in the queue instead.
        var retryAt = RetryAfter(response.Headers.RetryAfter) is { } after ? clock.GetUtcNow() + after : (DateTimeOffset?)null;
        if (retryAt is not null)
        {
            logger.LogInformation("{Url} asked to come back after {RetryAt:o} ({Status})", current, retryAt, status);
        }

        return FetchResult.Failed(FetchStatus.TransientFailure, url, current, status, error, redirects, retryAt);
    }

    private async Task<FetchResult> ReadBodyAsync(Uri url, Uri current, HttpResponseMessage response, List<Uri> redirects, FetchOptions o, FetchPolicy policy, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var contentType = response.Content.Headers.ContentType;
        // decided on the headers, before a byte of a PDF or video is downloaded
        if (contentType?.MediaType is { } media && !HtmlTypes.Contains(media) && !(policy.AcceptFeeds && FeedTypes.Contains(media)))
        {
            return FetchResult.Failed(FetchStatus.Skipped, url, current, status, $"not HTML ({media})", redirects);
        }

        // TransferDecodingHandler took off one gzip, Brotli or deflate. A compression left (another, or a second one)
        // would reach the extractor as noise; other tokens there ("identity", "utf-8", "none") are servers' mistakes
        // on plain bodies, which SocketsHttpHandler's decompression also let through.
        if (response.Content.Headers.ContentEncoding.Any(c => Compressions.Contains(c.Trim())))
        {
            return FetchResult.Failed(FetchStatus.Skipped, url, current, status, $"Content-Encoding {string.Join(", ", response.Content.Headers.ContentEncoding)} cannot be decoded (gzip or br was asked for)", redirects);
        }

        if (response.Content.Headers.ContentLength is long declared && declared > o.MaxBodyBytes)
        {
            return FetchResult.Failed(FetchStatus.Skipped, url, current, status, $"too large: {declared} bytes declared, limit {o.MaxBodyBytes}", redirects);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            if (await ReadWholeAsync(stream, response.Content.Headers.ContentLength, o.MaxBodyBytes, ct) is not { } body)
            {
                return FetchResult.Failed(FetchStatus.Skipped, url, current, status, $"too large: body passed the {o.MaxBodyBytes}-byte limit", redirects);
            }

            var validators = new Storage.Frontier.HttpValidators(response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"));
            return new FetchResult(FetchStatus.Ok, url, current, status, contentType?.MediaType, contentType?.CharSet, body, null, null, redirects)
            {
                Validators = validators.IsEmpty ? null : validators,
                ReasonPhrase = response.ReasonPhrase,
                Transfer = (response.Content as DecodedContent)?.Transfer,
                // a decoded body's headers have no Content-Encoding (nor Content-Length): they describe the body kept
                Headers = response.Headers.Concat(response.Content.Headers)
                    .SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v))).ToList(),
                FetchedAt = clock.GetUtcNow(),
            };
        }
        catch (BodyTooLargeException ex)
        {
            return FetchResult.Failed(FetchStatus.Skipped, url, current, status, $"too large: compressed body passed the {ex.Limit}-byte limit", redirects);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // reset or truncated mid-body: nothing partial is kept, the page is tried again later
            return FetchResult.Failed(FetchStatus.TransientFailure, url, current, status, $"body broken off: {Describe(ex)}", redirects);
        }
    }

    internal static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset? now = null)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - (now ?? DateTimeOffset.UtcNow);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// The stream to its end, or null past <paramref name="limit"/> bytes. Read into a pooled buffer and copied out
    /// once at its exact size: a decoded body has no length to size a buffer by, and a stream grown from a guess cost
    /// its spare capacity and a copy on every page.
    /// </summary>
    private static async Task<byte[]?> ReadWholeAsync(Stream stream, long? declared, long limit, CancellationToken ct)
    {
        // one more than declared, so that the read finding the end needs no bigger buffer
        var buffer = ArrayPool<byte>.Shared.Rent(declared is long n and > 0 and < int.MaxValue ? (int)n + 1 : 64 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(2 * buffer.Length);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                if (length + read > limit)
                {
                    return null;
                }

                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Describe(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        return string.Join(" -> ", messages);
    }
}
