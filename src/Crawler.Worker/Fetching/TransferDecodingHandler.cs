using System.IO.Compression;
using System.Net.Http.Headers;
using Crawler.Storage.Archive;

namespace Crawler.Worker.Fetching;

/// <summary>
/// Undoes a gzip or Brotli Content-Encoding in place of SocketsHttpHandler's own decompression, keeping the bytes
/// that came over the wire (<see cref="DecodedContent.Transfer"/>): the archive stores those as they are instead of
/// compressing every page a second time. What reads the response (the page fetcher, robots.txt) sees what the
/// handler's decompression gave it: the decoded body, without Content-Encoding and Content-Length. Only gzip and
/// Brotli are asked for; a coding the server sends unasked is left on the response for the fetcher to refuse.
/// </summary>
internal sealed class TransferDecodingHandler(long maxWireBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.AcceptEncoding.Count == 0)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(RawBody.Gzip));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(RawBody.Brotli));
        }

        var response = await base.SendAsync(request, cancellationToken);
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
    private readonly HttpContent _wire;
    private readonly string _coding;
    private readonly long _maxWireBytes;
    private RecordingStream? _recording;

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

    /// <summary>gzip and Brotli by their <see cref="RawBody"/> names; null for anything else.</summary>
    public static string? Normalize(string coding) => coding.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => RawBody.Gzip,
        "br" => RawBody.Brotli,
        _ => null,
    };

    /// <summary>The body as it came over the wire, once it has been read to its end; null before that.</summary>
    public TransferBody? Transfer => _recording is { AtEnd: true } r ? new TransferBody(_coding, r.Recorded.ToArray()) : null;

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        Decoder(await _wire.ReadAsStreamAsync(cancellationToken));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await using var decoded = await CreateContentReadStreamAsync(cancellationToken);
        await decoded.CopyToAsync(stream, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

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

    /// <summary>The decoder over the recorded wire: corrupt data fails as a broken body, and its end is checked.</summary>
    private sealed class DecodingStream(RecordingStream wire, string coding) : ReadOnlyStream
    {
        private readonly Stream _decoder = coding == RawBody.Gzip
            ? new GZipStream(wire, CompressionMode.Decompress)
            : new BrotliStream(wire, CompressionMode.Decompress);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                var read = _decoder.Read(buffer);
                if (read == 0)
                {
                    wire.CheckEnd();
                }

                return read;
            }
            catch (InvalidDataException ex)
            {
                throw Corrupt(ex);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                var read = await _decoder.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    await wire.CheckEndAsync(cancellationToken);
                }

                return read;
            }
            catch (InvalidDataException ex)
            {
                throw Corrupt(ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private IOException Corrupt(InvalidDataException ex) => new($"the {coding} body does not decode: {ex.Message}", ex);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _decoder.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Passes reads through and keeps a copy of what they returned, up to a limit.</summary>
    private sealed class RecordingStream(Stream inner, long maxBytes) : ReadOnlyStream
    {
        public MemoryStream Recorded { get; } = new(16 * 1024);

        /// <summary>The wire ended right where the compressed data did: the recording is the whole body.</summary>
        public bool AtEnd { get; private set; }

        // A Brotli decoder stops at the end of its data without reading the wire's end: one more read tells a complete
        // body from one with bytes after it, which is not kept as the transfer (nor read further).
        public void CheckEnd() => AtEnd = inner.Read(new byte[1]) == 0;

        public async ValueTask CheckEndAsync(CancellationToken cancellationToken) =>
            AtEnd = await inner.ReadAsync(new byte[1], cancellationToken) == 0;

        public override int Read(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override int Read(Span<byte> buffer) => Record(buffer[..inner.Read(buffer)]);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Record(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Record(ReadOnlySpan<byte> read)
        {
            // compressed data can decode to almost nothing (Brotli metadata blocks): the decoded size limit alone
            // would let the recording grow without end
            if (Recorded.Length + read.Length > maxBytes)
            {
                throw new BodyTooLargeException(maxBytes);
            }

            Recorded.Write(read);
            return read.Length;
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
