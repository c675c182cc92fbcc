namespace Crawler.Extraction;

/// <summary>
/// The text of the block being read, appended from spans of the page and read back as one span. A StringBuilder
/// made a string of it to normalize, a second copy of the page's text, and reallocated its chunks when cleared.
/// </summary>
internal sealed class TextBuffer
{
    private char[] _chars = new char[1024];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        if (Length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(2 * _chars.Length, Length + text.Length));
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    public void Clear() => Length = 0;
}
