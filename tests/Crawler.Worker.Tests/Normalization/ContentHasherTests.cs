using System.Security.Cryptography;
using System.Text;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Normalization;

namespace Crawler.Worker.Tests.Normalization;

public sealed class ContentHasherTests
{
    /// <summary>The definition, written out: SHA-256 of the UTF-8 of the joined text. Stored hashes depend on it.</summary>
    private static string Reference(string title, IReadOnlyList<SnapshotBlock> blocks)
    {
        var text = new StringBuilder(title).Append('\n');
        foreach (var block in blocks)
        {
            text.Append((int)block.Kind).Append('\t').Append(block.Text).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static TheoryData<string, string[]> Texts => new()
    {
        { "", [] },
        { "Harbour reopens", ["The ferry runs again on Monday.", "Weather permitting."] },
        { "纳卡局势再紧张", ["第一段。", "【局势再升级】", "第二段：𠀋𠀍 (beyond the BMP)"] },
        // halves of surrogate pairs at the ends of pieces: each must become U+FFFD exactly as in the joined text
        { "title ends high \uD83D", ["\uDE00 block starts low", "block ends high \uD83D", "\uDE00"] },
        { "long", [new string('x', 40_000) + "é", new string('中', 30_000)] },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Hash_is_sha256_of_the_joined_title_and_blocks(string title, string[] texts)
    {
        var blocks = texts.Select((t, i) => new SnapshotBlock((SnapshotBlockKind)(i % 3), t)).ToList();

        Assert.Equal(Reference(title, blocks), ContentHasher.Hash(title, blocks));
    }

    [Fact]
    public void Hash_changes_with_the_kind_of_a_block()
    {
        Assert.NotEqual(
            ContentHasher.Hash("t", [new SnapshotBlock(SnapshotBlockKind.Paragraph, "same")]),
            ContentHasher.Hash("t", [new SnapshotBlock(SnapshotBlockKind.Heading, "same")]));
    }
}
