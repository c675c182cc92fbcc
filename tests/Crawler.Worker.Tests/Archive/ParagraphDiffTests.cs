using Crawler.Worker.Archive;

namespace Crawler.Worker.Tests.Archive;

public sealed class ParagraphDiffTests
{
    [Fact]
    public void An_edited_paragraph_shows_as_removed_then_added_with_one_paragraph_of_context()
    {
        string[] before = ["p1", "p2", "p3", "p4", "old", "p6"];
        string[] after = ["p1", "p2", "p3", "p4", "new", "p6"];

        var diff = ParagraphDiff.Render(before, after);

        Assert.Equal("  … 3 unchanged paragraphs\n  p4\n- old\n+ new\n  p6\n", diff.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Added_and_dropped_paragraphs_are_marked_and_identical_versions_show_no_change()
    {
        Assert.Equal("  a\n+ b\n  c\n", ParagraphDiff.Render(["a", "c"], ["a", "b", "c"]).ReplaceLineEndings("\n"));
        Assert.Equal("- a\n  b\n", ParagraphDiff.Render(["a", "b"], ["b"]).ReplaceLineEndings("\n"));
        Assert.DoesNotContain("+ ", ParagraphDiff.Render(["a", "b", "c", "d"], ["a", "b", "c", "d"]), StringComparison.Ordinal);
    }
}
