using System.IO.Compression;
using System.Text;
using Crawler.Storage.Archive;

namespace Crawler.Storage.Tests;

public sealed class RawBodyTests
{
    public static TheoryData<int> Sizes => [0, 1, 100, 25_000, 400_000, 3_000_000];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Compressed_bodies_read_back_byte_for_byte(int size)
    {
        var rng = new Random(size);
        var page = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, size / 20 + 1).Select(i => $"<p>段落 {rng.Next(1000)} text</p>")));
        var body = page.AsSpan(0, Math.Min(size, page.Length)).ToArray();

        var stored = RawBody.Compress(body);

        Assert.Equal(body, RawBody.Decompress(RawBody.Brotli, stored));
        if (size >= 25_000)
        {
            Assert.True(stored.Length * 3 < body.Length, $"{body.Length} bytes stored as {stored.Length}");
        }
    }

    [Fact]
    public void Random_bytes_that_do_not_compress_still_read_back()
    {
        var body = new byte[200_000];
        new Random(7).NextBytes(body);

        Assert.Equal(body, RawBody.Decompress(RawBody.Brotli, RawBody.Compress(body)));
    }

    [Fact]
    public void Bodies_stored_by_the_earlier_stream_encoder_still_read_back()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<div class=\"story\">港务局表示 the ferry runs</div>", 2000)));
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(body);
        }

        Assert.Equal(body, RawBody.Decompress(RawBody.Brotli, output.ToArray()));
    }
}
