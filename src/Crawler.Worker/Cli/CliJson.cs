using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crawler.Worker.Cli;

/// <summary>One line of <c>--extract</c>: what the extractor read from one file.</summary>
internal sealed record ExtractedPage(
    string Path,
    string? Title,
    string? PublishTime,
    string? Source,
    string? Category,
    string? Author,
    string? Body,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Captions);

/// <summary>One line of <c>--export</c>: a stored snapshot, its body also joined for readers that want plain text.</summary>
internal sealed record ExportedSnapshot(
    long Id,
    int Version,
    string Source,
    string CanonicalUrl,
    string OriginalUrl,
    string FinalUrl,
    string Title,
    DateTimeOffset? PublishedAt,
    string? PublishedText,
    string? Publisher,
    string? Category,
    string? Author,
    string? Language,
    string Body,
    IReadOnlyList<ExportedBlock> Blocks,
    IReadOnlyList<string> Captions,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Links,
    DateTimeOffset GeneratedAt,
    string ContentHash,
    string? Simhash);

internal sealed record ExportedBlock(string Kind, string Text);

/// <summary>JSON lines of the CLI, serialized by generated code (the worker is compiled ahead of time).</summary>
[JsonSerializable(typeof(ExtractedPage))]
[JsonSerializable(typeof(ExportedSnapshot))]
internal sealed partial class CliJson : JsonSerializerContext
{
    /// <summary>camelCase names; Chinese written as itself, not as \u escapes.</summary>
    public static CliJson Lines { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    });
}
