using System.IO.Compression;
using System.Net.Http.Headers;
using Crawler.Storage.Archive;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Undoes a gzip or Brotli Content-Encoding in place of SocketsHttpHandler's own decompression, keeping the bytes
/// that came over the wire (<see cref="DecodedContent.Transfer"/>): the archive stores those as they are instead of
/// compressing every page a second time. What reads the response (the page fetcher, robots.txt) sees what the
/// handler's decompression gave it: the decoded body, without Content-Encoding and Content-Length. gzip and Brotli
/// are asked for and kept; deflate, sent by some servers unasked, is decoded as that handler did and not kept (the
/// archive has no encoding for it). Anything else is left on the response for the fetcher to judge.
/// </summary>
internal sealed class TransferDecodingHandler(long maxWireBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Decode(await base.SendAsync(Ask(request), cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Decode(base.Send(Ask(request), cancellationToken));

    private static HttpRequestMessage Ask(HttpRequestMessage request)
    {
        if (request.Headers.AcceptEncoding.Count == 0)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(RawBody.Gzip));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(RawBody.Brotli));
        }

        return request;
    }

    private HttpResponseMessage Decode(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentEncoding is { Count: 1 } codings && DecodedContent.Normalize(codings.First()) is { } coding)
        {
            response.Content = new DecodedContent(response.Content, coding, maxWireBytes);
        }

        return response;
    }
}

/// <summary>A response body decoded as it is read, with every byte read off the wire kept beside it.</summary>
internal sealed class DecodedContent : HttpContent
{
    private const string Deflate = "deflate";

    private readonly HttpContent _wire;
    private readonly string _coding;
    private readonly long _maxWireBytes;
    private RecordingStream? _recording;
    private CompressedBody? _transfer;

    public DecodedContent(HttpContent wire, string coding, long maxWireBytes)
    {
        _wire = wire;
        _coding = coding;
        _maxWireBytes = maxWireBytes;
        foreach (var header in wire.Headers)
        {
            if (!header.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <summary>The codings decoded here, gzip and Brotli by their <see cref="RawBody"/> names; null for any other.</summary>
    public static string? Normalize(string coding) => coding.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => RawBody.Gzip,
        "br" => RawBody.Brotli,
        "deflate" => Deflate,
        _ => null,
    };

    /// <summary>
    /// The body as it came over the wire, once it has been read to its end with no bytes left on the wire after the
    /// compressed data; null before that, and for deflate.
    /// </summary>
    public CompressedBody? Transfer => _transfer ??= _coding != Deflate && _recording is { AtEnd: true } r ? new CompressedBody(_coding, r.Recorded.ToArray()) : null;

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        Decoder(await _wire.ReadAsStreamAsync(cancellationToken));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Decoder(_wire.ReadAsStream(cancellationToken));

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await using var decoded = await CreateContentReadStreamAsync(cancellationToken);
        await decoded.CopyToAsync(stream, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override void SerializeToStream(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        using var decoded = CreateContentReadStream(cancellationToken);
        decoded.CopyTo(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _wire.Dispose();
        }

        base.Dispose(disposing);
    }

    private Stream Decoder(Stream wire)
    {
        _recording = new RecordingStream(wire, _maxWireBytes);
        return new DecodingStream(_recording, _coding);
    }

    /// <summary>The decoder over the recorded wire: data that does not decode fails as a broken body, and its end is checked.</summary>
    private sealed class DecodingStream(RecordingStream wire, string coding) : ReadOnlyStream
    {
        private Stream? _decoder;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                _decoder ??= Open(coding == Deflate ? wire.PeekTwo() : []);
                var read = _decoder.Read(buffer);
                if (read == 0 && !buffer.IsEmpty && !_ended)
                {
                    _ended = true;
                    wire.CheckEnd();
                }

                return read;
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException and not ObjectDisposedException)
            {
                throw Corrupt(ex);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                _decoder ??= Open(coding == Deflate ? await wire.PeekTwoAsync(cancellationToken) : []);
                var read = await _decoder.ReadAsync(buffer, cancellationToken);
                if (read == 0 && !buffer.IsEmpty && !_ended)
                {
                    _ended = true;
                    await wire.CheckEndAsync(cancellationToken);
                }

                return read;
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException and not ObjectDisposedException)
            {
                // BrotliStream reports bad data as an invalid operation, GZipStream and ZLibStream as invalid data
                throw Corrupt(ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>
        /// deflate is meant to be zlib-wrapped and is sometimes sent raw: told apart by the zlib header's check bits,
        /// as SocketsHttpHandler tells them apart.
        /// </summary>
        private Stream Open(ReadOnlySpan<byte> first) => coding switch
        {
            RawBody.Gzip => new GZipStream(wire, CompressionMode.Decompress),
            RawBody.Brotli => new BrotliStream(wire, CompressionMode.Decompress),
            _ when first.Length == 2 && (first[0] & 0x0F) == 8 && ((first[0] << 8) | first[1]) % 31 == 0 => new ZLibStream(wire, CompressionMode.Decompress),
            _ => new DeflateStream(wire, CompressionMode.Decompress),
        };

        private IOException Corrupt(Exception ex) => new($"the {coding} body does not decode: {ex.Message}", ex);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                (_decoder ?? wire).Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Passes reads through and keeps a copy of what they returned, up to a limit; the first two bytes can be looked
    /// at before the decoder reads them.
    /// </summary>
    private sealed class RecordingStream(Stream inner, long maxBytes) : ReadOnlyStream
    {
        private byte[] _peeked = [];
        private int _peekedAt;

        public MemoryStream Recorded { get; } = new(16 * 1024);

        /// <summary>The wire ended right where the compressed data did: the recording is the whole body.</summary>
        public bool AtEnd { get; private set; }

        public ReadOnlySpan<byte> PeekTwo()
        {
            var two = new byte[2];
            _peeked = two[..inner.ReadAtLeast(two, 2, throwOnEndOfStream: false)];
            return _peeked;
        }

        public async ValueTask<byte[]> PeekTwoAsync(CancellationToken cancellationToken)
        {
            var two = new byte[2];
            _peeked = two[..await inner.ReadAtLeastAsync(two, 2, throwOnEndOfStream: false, cancellationToken)];
            return _peeked;
        }

        // A Brotli decoder stops at the end of its data without reading the wire's end: one more read tells whether
        // bytes remained on the wire after it; if they did, the recording is not kept (nor the wire read further).
        public void CheckEnd() => AtEnd = Read(new byte[1]) == 0;

        public async ValueTask CheckEndAsync(CancellationToken cancellationToken) =>
            AtEnd = await ReadAsync(new byte[1], cancellationToken) == 0;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Record(buffer, TakePeeked(buffer) is var n and > 0 ? n : inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = TakePeeked(buffer.Span) is var n and > 0 ? n : await inner.ReadAsync(buffer, cancellationToken);
            return Record(buffer.Span, read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int TakePeeked(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _peeked.Length - _peekedAt);
            _peeked.AsSpan(_peekedAt, n).CopyTo(buffer);
            _peekedAt += n;
            return n;
        }

        private int Record(ReadOnlySpan<byte> buffer, int read)
        {
            // compressed data can decode to almost nothing (Brotli metadata blocks): the decoded size limit alone
            // would let the recording grow without end
            if (Recorded.Length + read > maxBytes)
            {
                throw new BodyTooLargeException(maxBytes);
            }

            Recorded.Write(buffer[..read]);
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A stream read once from start to end, all a decoder needs.</summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A body, compressed or not, passed the fetch's byte limit.</summary>
internal sealed class BodyTooLargeException(long limit) : IOException($"body passed the {limit}-byte limit")
{
    public long Limit { get; } = limit;
}
