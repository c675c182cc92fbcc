using System.Buffers;
using System.Globalization;
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
    /// <summary>
    /// The hash of the UTF-8 of <c>title \n (kind \t text \n)*</c>, fed piece by piece: the whole text was built as a
    /// string and then as bytes, two copies of every article, only to be hashed.
    /// </summary>
    public static string Hash(string title, IEnumerable<SnapshotBlock> blocks)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            Append(sha, ref buffer, title);
            Append(sha, ref buffer, "\n");
            foreach (var block in blocks)
            {
                Append(sha, ref buffer, ((int)block.Kind).ToString(CultureInfo.InvariantCulture));
                Append(sha, ref buffer, "\t");
                Append(sha, ref buffer, block.Text);
                Append(sha, ref buffer, "\n");
            }

            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Encoding the pieces one by one gives the bytes of the joined text: the pieces that may end in half a surrogate
    // pair (title, block text) are always followed by a newline, so no pair is split between two pieces.
    private static void Append(IncrementalHash sha, ref byte[] buffer, string piece)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(piece.Length);
        if (needed > buffer.Length)
        {
            // the bigger one first: were the rent to fail, the finally block must not return the old buffer twice
            var bigger = ArrayPool<byte>.Shared.Rent(needed);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }

        var written = Encoding.UTF8.GetBytes(piece, buffer);
        sha.AppendData(buffer, 0, written);
    }
}
