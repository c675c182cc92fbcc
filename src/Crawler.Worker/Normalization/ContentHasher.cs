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
            sha.AppendData("\n"u8);
            foreach (var block in blocks)
            {
                // the kind's digits straight into the buffer, which always has room for an int's
                ((int)block.Kind).TryFormat(buffer, out var digits, provider: CultureInfo.InvariantCulture);
                sha.AppendData(buffer, 0, digits);
                sha.AppendData("\t"u8);
                Append(sha, ref buffer, block.Text);
                sha.AppendData("\n"u8);
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
