using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Crawler.Storage.Archive;

namespace Crawler.Worker.Archive;

/// <summary>
/// Writes WARC 1.1 (ISO 28500): each record its own gzip member, so a reader can seek to any record by offset.
/// Digests are SHA-1 in base32, the convention wget, Heritrix and the Wayback Machine share.
/// </summary>
public sealed class WarcWriter(Stream output) : IDisposable
{
    public const string RevisitProfile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

    // the stored body is already decoded and whole: these headers would describe bytes the record does not carry
    private static readonly HashSet<string> DroppedHeaders = new(StringComparer.OrdinalIgnoreCase) { "Transfer-Encoding", "Content-Encoding", "Content-Length" };

    public int Records { get; private set; }

    public string WriteInfo(string filename, IReadOnlyDictionary<string, string> fields, DateTimeOffset now)
    {
        var block = Encoding.UTF8.GetBytes(string.Concat(fields.Select(f => $"{f.Key}: {f.Value}\r\n")));
        var id = NewId();
        Write(
        [
            ("WARC-Type", "warcinfo"), ("WARC-Record-ID", id), ("WARC-Date", Date(now)), ("WARC-Filename", filename),
            ("Content-Type", "application/warc-fields"),
        ], block, payloadDigest: null);
        return id;
    }

    /// <summary>A request and its response, linked both ways by WARC-Concurrent-To. Returns the response's record id.</summary>
    public string WriteExchange(RawCapture capture, string userAgent, string warcInfoId)
    {
        var target = new Uri(capture.TargetUrl);
        var responseId = NewId();
        var requestId = NewId();
        var date = Date(capture.FetchedAt);
        var request = Encoding.UTF8.GetBytes(
            $"GET {target.PathAndQuery} HTTP/1.1\r\nHost: {target.Authority}\r\nUser-Agent: {userAgent}\r\nAccept-Encoding: gzip, br\r\n\r\n");
        var head = HttpHead(capture);
        var block = new byte[head.Length + capture.Body.Length];
        head.CopyTo(block, 0);
        capture.Body.CopyTo(block, head.Length);
        Write(
        [
            ("WARC-Type", "response"), ("WARC-Record-ID", responseId), ("WARC-Date", date), ("WARC-Target-URI", capture.TargetUrl),
            ("WARC-Warcinfo-ID", warcInfoId), ("WARC-Concurrent-To", requestId), ("Content-Type", "application/http;msgtype=response"),
        ], block, payloadDigest: Sha1(capture.Body));
        Write(
        [
            ("WARC-Type", "request"), ("WARC-Record-ID", requestId), ("WARC-Date", date), ("WARC-Target-URI", capture.TargetUrl),
            ("WARC-Warcinfo-ID", warcInfoId), ("WARC-Concurrent-To", responseId), ("Content-Type", "application/http;msgtype=request"),
        ], request, payloadDigest: null);
        return responseId;
    }

    /// <summary>
    /// A URL whose content was identical to a capture already archived: a revisit record that points at it instead
    /// of repeating the body. Its block is the original's HTTP head (the duplicate's own headers were not kept).
    /// </summary>
    public void WriteRevisit(string url, DateTimeOffset at, RawCapture original, string? originalRecordId, string warcInfoId)
    {
        var headers = new List<(string, string)>
        {
            ("WARC-Type", "revisit"), ("WARC-Record-ID", NewId()), ("WARC-Date", Date(at)), ("WARC-Target-URI", url),
            ("WARC-Warcinfo-ID", warcInfoId), ("WARC-Profile", RevisitProfile),
            ("WARC-Refers-To-Target-URI", original.TargetUrl), ("WARC-Refers-To-Date", Date(original.FetchedAt)),
            ("Content-Type", "application/http;msgtype=response"),
        };
        if (originalRecordId is not null)
        {
            headers.Add(("WARC-Refers-To", originalRecordId));
        }

        Write(headers, HttpHead(original), payloadDigest: Sha1(original.Body));
    }

    public void Dispose() => output.Flush();

    private void Write(IReadOnlyList<(string Name, string Value)> fields, byte[] block, string? payloadDigest)
    {
        var head = new StringBuilder("WARC/1.1\r\n");
        foreach (var (name, value) in fields)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("WARC-Block-Digest: ").Append(Sha1(block)).Append("\r\n");
        if (payloadDigest is not null)
        {
            head.Append("WARC-Payload-Digest: ").Append(payloadDigest).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {block.Length}\r\n\r\n");
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(head.ToString()));
            gzip.Write(block);
            gzip.Write("\r\n\r\n"u8);
        }

        Records++;
    }

    private static byte[] HttpHead(RawCapture capture)
    {
        var head = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {capture.StatusCode} {capture.ReasonPhrase}").TrimEnd()).Append("\r\n");
        foreach (var (name, value) in capture.Headers.Where(h => !DroppedHeaders.Contains(h.Key)))
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {capture.Body.Length}\r\n\r\n");
        return Encoding.UTF8.GetBytes(head.ToString());
    }

    private static string NewId() => $"<urn:uuid:{Guid.NewGuid():D}>";

    private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // SHA-1 here names content, it does not protect it: the WARC tools that read these files expect it.
#pragma warning disable CA5350
    internal static string Sha1(byte[] data) => "sha1:" + Base32(SHA1.HashData(data));
#pragma warning restore CA5350

    /// <summary>RFC 4648 base32, the alphabet WARC digests use.</summary>
    internal static string Base32(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
