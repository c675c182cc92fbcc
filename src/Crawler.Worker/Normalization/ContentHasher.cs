using System.Security.Cryptography;
using System.Text;
using Crawler.Storage.Snapshots;

namespace Crawler.Worker.Normalization;

/// <summary>
/// SHA-256 of what a reader would call the content: title and main text blocks. Fetch times, ads and the page's
/// boilerplate are not in it, so a re-fetch of an unchanged article hashes the same.
/// </summary>
public static class ContentHasher
{
    public static string Hash(string title, IEnumerable<SnapshotBlock> blocks)
    {
        var text = new StringBuilder(title.Length + 4096);
        text.Append(title).Append('\n');
        foreach (var block in blocks)
        {
            text.Append((int)block.Kind).Append('\t').Append(block.Text).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
