namespace Crawler.Storage.Archive;

/// <summary>
/// The HTTP response a snapshot was made from, as received (<see cref="Body"/> after transfer decoding, and the
/// headers to match: a decoded body's Content-Encoding and Content-Length are dropped): what WARC export writes and
/// what re-extraction reads when the extractor improves. Kept only for new versions; a re-check that found the
/// same content adds nothing.
/// </summary>
public sealed record RawCapture(
    string TargetUrl,
    int StatusCode,
    string? ReasonPhrase,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[] Body,
    DateTimeOffset FetchedAt)
{
    /// <summary>
    /// The body already compressed in a <see cref="RawBody"/> encoding, as the server sent it (gzip or Brotli) or as a
    /// store keeps it: stored as it is, which spares compressing it again. It decodes to <see cref="Body"/>.
    /// </summary>
    public CompressedBody? Compressed { get; init; }

    /// <summary>The charset of the Content-Type header, for decoding the body again.</summary>
    public string? Charset =>
        Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value is { } type
        && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media) ? media.CharSet : null;
}

/// <summary>A body in one <see cref="RawBody"/> encoding (<see cref="RawBody.Gzip"/> or <see cref="RawBody.Brotli"/>).</summary>
public sealed record CompressedBody(string Encoding, byte[] Bytes);

/// <summary>A stored snapshot that has a raw capture, as listed for export and re-extraction.</summary>
public sealed record CaptureEntry(long SnapshotId, string Source, string CanonicalUrl, int Version, DateTimeOffset FetchedAt);

/// <summary>A URL whose content was identical to a stored snapshot, linked to it instead of stored again.</summary>
public sealed record DuplicateLink(string Url, long SnapshotId, DateTimeOffset CheckedAt);
