using System.Text;
using Crawler.Worker.Archive;

namespace Crawler.Worker.Tests.Archive;

public sealed class WarcWriterTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_matches_the_rfc_4648_test_vectors_without_padding(string input, string expected) =>
        Assert.Equal(expected, WarcWriter.Base32(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void A_sha1_digest_is_32_base32_characters() =>
        // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709
        Assert.Equal("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", WarcWriter.Sha1([]));
}
