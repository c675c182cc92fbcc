namespace Crawler.Worker.Fetching;

public enum FetchStatus
{
    /// <summary>An HTML body was read whole.</summary>
    Ok,

    /// <summary>Worth trying again later (5xx, 429, timeouts, resets, open circuit).</summary>
    TransientFailure,

    /// <summary>Will not get better by waiting (404, 410, redirect loop).</summary>
    PermanentFailure,

    /// <summary>Fetched fine but not something we keep (not HTML, too large), or not ours to fetch (robots.txt).</summary>
    Skipped,

    /// <summary>304: the page has not changed since the validators we sent.</summary>
    NotModified,

    /// <summary>Not fetched now: the host asked us to come back later (robots.txt answered 5xx).</summary>
    Deferred,
}

/// <summary>How one page is to be fetched.</summary>
/// <param name="RespectRobots">Check robots.txt before every request, redirects included.</param>
/// <param name="Validators">ETag / Last-Modified of the version we hold, for a conditional GET.</param>
/// <param name="AcceptFeeds">Also accept XML sitemaps and RSS/Atom feeds (seed pages), not only HTML.</param>
public sealed record FetchPolicy(bool RespectRobots = true, Storage.Frontier.HttpValidators? Validators = null, bool AcceptFeeds = false)
{
    public static FetchPolicy Default { get; } = new();
}

public sealed record FetchResult(
    FetchStatus Status,
    Uri RequestedUrl,
    Uri FinalUrl,
    int? StatusCode,
    string? ContentType,
    string? Charset,
    byte[]? Body,
    string? Error,
    DateTimeOffset? RetryAt,
    IReadOnlyList<Uri> Redirects)
{
    /// <summary>ETag / Last-Modified the server sent with a whole page.</summary>
    public Storage.Frontier.HttpValidators? Validators { get; init; }

    /// <summary>Reason phrase and every header of a whole page's response, as received, for the raw capture.</summary>
    public string? ReasonPhrase { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body as it came over the wire, when the server compressed it with gzip or Brotli.</summary>
    public Storage.Archive.CompressedBody? Transfer { get; init; }

    /// <summary>When the response was read.</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    /// <summary>What the archive keeps of a whole page: status, headers, body.</summary>
    public Storage.Archive.RawCapture? ToRawCapture() => Body is { } body && StatusCode is { } status && FetchedAt is { } at
        ? new Storage.Archive.RawCapture(FinalUrl.AbsoluteUri, status, ReasonPhrase, Headers, body, at) { Compressed = Transfer }
        : null;

    public static FetchResult Failed(FetchStatus status, Uri requested, Uri final, int? statusCode, string error, IReadOnlyList<Uri> redirects, DateTimeOffset? retryAt = null) =>
        new(status, requested, final, statusCode, null, null, null, error, retryAt, redirects);
}
