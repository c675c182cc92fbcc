using System.Text.Encodings.Web;
using System.Text.Json;
using Crawler.Storage.Snapshots;

namespace Crawler.Storage.Tests;

/// <summary>
/// The generated serializer of the JSON columns against the reflection serializer the stores used before: rows
/// written by either must read the same.
/// </summary>
public sealed class StoreJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    private static readonly IReadOnlyList<SnapshotBlock> Blocks =
    [
        new(SnapshotBlockKind.Heading, "新华社北京12月1日电"),
        new(SnapshotBlockKind.Paragraph, "He said \"no\" \\ then\ttabbed\nand <b>bold</b> & more \u0001 \u2028 😀"),
        new(SnapshotBlockKind.Quote, ""),
    ];

    [Fact]
    public void Blocks_serialize_as_the_reflection_serializer_did()
    {
        Assert.Equal(JsonSerializer.Serialize(Blocks, Reflection), JsonSerializer.Serialize(Blocks, StoreJson.Columns.IReadOnlyListSnapshotBlock));
    }

    [Fact]
    public void Blocks_written_by_the_reflection_serializer_read_back()
    {
        var old = JsonSerializer.Serialize(Blocks, Reflection);

        Assert.Equal(Blocks, JsonSerializer.Deserialize(old, StoreJson.Columns.ListSnapshotBlock));
    }

    [Fact]
    public void String_lists_serialize_as_the_reflection_serializer_did()
    {
        IReadOnlyList<string> keywords = ["经济", "a \"quoted\" word", "https://example.com/a?b=1&c=2"];

        var generated = JsonSerializer.Serialize(keywords, StoreJson.Columns.IReadOnlyListString);

        Assert.Equal(JsonSerializer.Serialize(keywords, Reflection), generated);
        Assert.Equal(keywords, JsonSerializer.Deserialize(generated, StoreJson.Columns.ListString));
    }

    [Fact]
    public void Headers_serialize_as_pairs_the_way_the_reflection_serializer_wrote_them()
    {
        KeyValuePair<string, string>[] headers = [new("Content-Type", "text/html; charset=gbk"), new("Set-Cookie", "a=1"), new("Set-Cookie", "b=2")];

        var generated = StoreJson.WriteHeaders(headers);

        Assert.Equal(JsonSerializer.Serialize(headers.Select(h => new[] { h.Key, h.Value }), Reflection), generated);
        Assert.Equal(headers, StoreJson.ReadHeaders(generated));
    }
}
