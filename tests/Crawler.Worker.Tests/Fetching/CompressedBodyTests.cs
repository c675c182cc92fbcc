using Crawler.FixtureSite;
using Crawler.Storage.Archive;
using Crawler.Worker.Fetching;
using Crawler.Worker.Tests.Support;

namespace Crawler.Worker.Tests.Fetching;

/// <summary>
/// Bodies sent with a Content-Encoding: decoded for extraction, kept for the archive as they came over the wire, and
/// held to the same limits and failure rules as plain ones.
/// </summary>
public sealed class CompressedBodyTests : IAsyncLifetime
{
    private NewsSite _site = null!;

    public async Task InitializeAsync() => _site = await NewsSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_compressed_page_is_decoded_and_its_wire_bytes_are_kept_for_the_archive(string coding)
    {
        using var worker = await TestWorker.StartAsync(_site);
        var plain = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/compressed/identity/1.html"));
        var compressed = await worker.FetchAsync(new Uri(_site.BaseUrl, $"news/compressed/{coding}/1.html"));

        Assert.Equal(FetchStatus.Ok, compressed.Status);
        // the same article as the one sent plain (the fixture compresses only with the coding in the path)
        Assert.Equal(plain.Body, compressed.Body);
        Assert.Null(plain.Transfer);
        Assert.Equal(coding, compressed.Transfer!.Encoding);
        Assert.True(compressed.Transfer.Bytes.Length < compressed.Body!.Length, "the wire bytes are the compressed ones");
        Assert.Equal(compressed.Body, RawBody.Decompress(compressed.Transfer.Encoding, compressed.Transfer.Bytes));
        Assert.DoesNotContain(compressed.Headers, h => h.Key is "Content-Encoding" or "Content-Length");
        Assert.Same(compressed.Transfer, compressed.ToRawCapture()!.Compressed);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_compressed_body_that_does_not_decode_counts_as_broken_off(string coding)
    {
        using var worker = await TestWorker.StartAsync(_site);
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, $"news/compressed/corrupt/{coding}.html"));
        Assert.Equal(FetchStatus.TransientFailure, result.Status);
        Assert.StartsWith($"body broken off: the {coding} body does not decode", result.Error);
    }

    [Theory]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    [InlineData("utf-8")]
    public async Task A_deflate_body_or_a_token_that_is_no_compression_still_gives_the_page(string coding)
    {
        using var worker = await TestWorker.StartAsync(_site);
        var expected = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/compressed/unasked/identity.html"));
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, $"news/compressed/unasked/{coding}.html"));
        Assert.Equal(FetchStatus.Ok, result.Status);
        Assert.Equal(expected.Body, result.Body);
        // no archive encoding for deflate: the store compresses the decoded body itself
        Assert.Null(result.Transfer);
    }

    [Fact]
    public async Task A_compression_that_was_not_asked_for_and_cannot_be_decoded_is_skipped()
    {
        using var worker = await TestWorker.StartAsync(_site);
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/compressed/unasked/zstd.html"));
        Assert.Equal(FetchStatus.Skipped, result.Status);
        Assert.Equal("Content-Encoding zstd cannot be decoded (gzip or br was asked for)", result.Error);
    }

    [Fact]
    public async Task The_byte_limit_holds_for_the_compressed_bytes_as_well_as_the_decoded_ones()
    {
        // random bytes come out of gzip a little larger: a limit between the two sizes stops the compressed read
        var limit = NewsSite.IncompressibleBody.Length + 4;
        using var worker = await TestWorker.StartAsync(_site, s => s["Crawler:Fetch:MaxBodyBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await worker.FetchAsync(new Uri(_site.BaseUrl, "news/compressed/incompressible.html"));
        Assert.Equal(FetchStatus.Skipped, result.Status);
        Assert.Equal($"too large: compressed body passed the {limit}-byte limit", result.Error);
    }
}
