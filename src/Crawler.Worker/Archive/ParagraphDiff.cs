using System.Text;

namespace Crawler.Worker.Archive;

/// <summary>
/// A paragraph-level diff of two versions of a story, for people: removed paragraphs as <c>- </c>, added as
/// <c>+ </c>, one unchanged paragraph of context on each side of a change and longer unchanged runs folded into a
/// count. Paragraphs rather than lines, because an edit to a news story is a corrected sentence in one paragraph.
/// </summary>
public static class ParagraphDiff
{
    public const int Context = 1;

    public static string Render(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var ops = Diff(before, after);
        var text = new StringBuilder();
        var i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind != ' ')
            {
                text.Append(ops[i].Kind).Append(' ').AppendLine(ops[i].Text);
                i++;
                continue;
            }

            var end = i;
            while (end < ops.Count && ops[end].Kind == ' ')
            {
                end++;
            }

            var run = end - i;
            var lead = i == 0 ? 0 : Context;          // context after the change before this run
            var trail = end == ops.Count ? 0 : Context; // context before the change after this run
            if (run <= lead + trail + 1)
            {
                for (var k = i; k < end; k++)
                {
                    text.Append("  ").AppendLine(ops[k].Text);
                }
            }
            else
            {
                for (var k = i; k < i + lead; k++)
                {
                    text.Append("  ").AppendLine(ops[k].Text);
                }

                var folded = run - lead - trail;
                text.AppendLine($"  … {folded} unchanged paragraph{(folded == 1 ? "" : "s")}");
                for (var k = end - trail; k < end; k++)
                {
                    text.Append("  ").AppendLine(ops[k].Text);
                }
            }

            i = end;
        }

        return text.ToString();
    }

    /// <summary>Longest common subsequence; articles have tens of paragraphs, so the quadratic table is small.</summary>
    private static List<(char Kind, string Text)> Diff(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var lcs = new int[a.Count + 1, b.Count + 1];
        for (var x = a.Count - 1; x >= 0; x--)
        {
            for (var y = b.Count - 1; y >= 0; y--)
            {
                lcs[x, y] = string.Equals(a[x], b[y], StringComparison.Ordinal) ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
            }
        }

        var ops = new List<(char, string)>();
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            if (i < a.Count && j < b.Count && string.Equals(a[i], b[j], StringComparison.Ordinal))
            {
                ops.Add((' ', a[i++]));
                j++;
            }
            else if (j < b.Count && (i == a.Count || lcs[i, j + 1] >= lcs[i + 1, j]))
            {
                ops.Add(('+', b[j++]));
            }
            else
            {
                ops.Add(('-', a[i++]));
            }
        }

        // removals before additions at each change, as readers expect "old, then new"
        for (var k = 0; k + 1 < ops.Count; k++)
        {
            if (ops[k].Item1 == '+' && ops[k + 1].Item1 == '-')
            {
                (ops[k], ops[k + 1]) = (ops[k + 1], ops[k]);
                k = Math.Max(-1, k - 2);
            }
        }

        return ops;
    }
}
