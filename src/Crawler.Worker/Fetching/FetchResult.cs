namespace Crawler.Worker.Fetching;

public enum FetchStatus
{
    /// <summary>An HTML body was read whole.</summary>
    Ok,

    /// <summary>Worth trying again later (5xx, 429, timeouts, resets, open circuit).</summary>
    TransientFailure,

    /// <summary>Will not get better by waiting (404, 410, redirect loop).</summary>
    PermanentFailure,

    /// <summary>Fetched fine but not something we keep (not HTML, too large).</summary>
    Skipped,
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
    public static FetchResult Failed(FetchStatus status, Uri requested, Uri final, int? statusCode, string error, IReadOnlyList<Uri> redirects, DateTimeOffset? retryAt = null) =>
        new(status, requested, final, statusCode, null, null, null, error, retryAt, redirects);
}
