using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crawler.Storage.Snapshots;

namespace Crawler.Storage;

/// <summary>
/// The JSON columns of both stores (blocks, captions, keywords, links, raw headers), serialized by generated code:
/// the worker is compiled ahead of time, where reflection-based serialization is not available. The output is the
/// same as the reflection serializer's with these options, so rows written by earlier versions read back unchanged.
/// </summary>
[JsonSerializable(typeof(IReadOnlyList<SnapshotBlock>))]
[JsonSerializable(typeof(List<SnapshotBlock>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string[][]))]
internal sealed partial class StoreJson : JsonSerializerContext
{
    /// <summary>Chinese stays readable for anyone who opens the database with sqlite3 or psql.</summary>
    public static StoreJson Columns { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Raw response headers as a JSON array of [name, value] pairs: names repeat (Set-Cookie), so not an object.</summary>
    public static string WriteHeaders(IEnumerable<KeyValuePair<string, string>> headers) =>
        JsonSerializer.Serialize([.. headers.Select(h => new[] { h.Key, h.Value })], Columns.StringArrayArray);

    public static List<KeyValuePair<string, string>> ReadHeaders(string json) =>
        [.. (JsonSerializer.Deserialize(json, Columns.StringArrayArray) ?? []).Select(h => KeyValuePair.Create(h[0], h[1]))];
}
