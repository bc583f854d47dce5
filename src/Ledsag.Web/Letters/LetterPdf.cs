using SkiaSharp;

namespace Ledsag.Web.Letters;

/// <summary>What a letter says and to whom: the input of <see cref="LetterPdf.Render"/>.</summary>
public sealed record LetterContent(string Municipality, string RecipientName, string? RecipientAddress, string Date, string Subject, string Body);

/// <summary>
/// Renders a letter as an A4 PDF with SkiaSharp (MIT) and the embedded DejaVu Sans fonts, so æ, ø and å
/// come out right on any host. Paragraphs are separated by blank lines; long lines wrap at word boundaries.
/// </summary>
public static class LetterPdf
{
    private const float Width = 595, Height = 842, Margin = 62, LineHeight = 15.5f;
    private static readonly SKTypeface Regular = Load("DejaVuSans.ttf");
    private static readonly SKTypeface Bold = Load("DejaVuSans-Bold.ttf");

    private static SKTypeface Load(string name)
    {
        using var stream = typeof(LetterPdf).Assembly.GetManifestResourceStream($"Ledsag.Fonts.{name}")
            ?? throw new InvalidOperationException($"The font {name} is not embedded.");
        return SKTypeface.FromStream(stream);
    }

    public static byte[] Render(LetterContent letter)
    {
        using var output = new MemoryStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = letter.Subject, Author = letter.Municipality, Subject = "Ledsageordning, serviceloven § 97", Creator = "Ledsag", Producer = "Ledsag",
        };
        using (var document = SKDocument.CreatePdf(output, metadata))
        {
            using var body = new SKFont(Regular, 10.5f);
            using var small = new SKFont(Regular, 8.5f);
            using var heading = new SKFont(Bold, 15);
            using var subject = new SKFont(Bold, 12.5f);
            using var ink = new SKPaint { Color = new SKColor(0x1A, 0x1A, 0x1A), IsAntialias = true };
            using var grey = new SKPaint { Color = new SKColor(0x55, 0x55, 0x55), IsAntialias = true };

            var lines = new List<(string Text, SKFont Font)>();
            foreach (var paragraph in letter.Body.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
            {
                foreach (var raw in paragraph.Split('\n'))
                {
                    var font = raw.StartsWith("## ", StringComparison.Ordinal) ? subject : body;
                    lines.AddRange(Wrap(raw.StartsWith("## ", StringComparison.Ordinal) ? raw[3..] : raw, font, Width - (2 * Margin)).Select(l => (l, font)));
                }
                lines.Add(("", body));
            }

            var page = 0;
            var index = 0;
            while (index < lines.Count || page == 0)
            {
                var canvas = document.BeginPage(Width, Height);
                page++;
                float y = Margin;
                if (page == 1)
                {
                    canvas.DrawText(letter.Municipality, Margin, y + 8, SKTextAlign.Left, heading, ink);
                    canvas.DrawText("Ledsageordning efter serviceloven § 97", Margin, y + 24, SKTextAlign.Left, small, grey);
                    canvas.DrawText(letter.Date, Width - Margin, y + 8, SKTextAlign.Right, body, ink);
                    y += 70;
                    canvas.DrawText(letter.RecipientName, Margin, y, SKTextAlign.Left, body, ink);
                    foreach (var part in (letter.RecipientAddress ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        y += LineHeight;
                        canvas.DrawText(part, Margin, y, SKTextAlign.Left, body, ink);
                    }
                    y += 45;
                    foreach (var line in Wrap(letter.Subject, subject, Width - (2 * Margin)))
                    {
                        canvas.DrawText(line, Margin, y, SKTextAlign.Left, subject, ink);
                        y += LineHeight + 3;
                    }
                    y += 12;
                }
                while (index < lines.Count && y < Height - Margin - 30)
                {
                    var (text, font) = lines[index++];
                    if (text.Length > 0)
                    {
                        canvas.DrawText(text, Margin, y, SKTextAlign.Left, font, ink);
                    }
                    y += font == subject ? LineHeight + 4 : LineHeight;
                }
                canvas.DrawText($"{letter.Municipality} · Side {page}", Width / 2, Height - (Margin / 2), SKTextAlign.Center, small, grey);
                document.EndPage();
            }
            document.Close();
        }
        return output.ToArray();
    }

    private static IEnumerable<string> Wrap(string text, SKFont font, float width)
    {
        if (text.Length == 0)
        {
            yield return "";
            yield break;
        }
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var candidate = line.Length == 0 ? word : $"{line} {word}";
            if (font.MeasureText(candidate) <= width || line.Length == 0)
            {
                line = candidate;
            }
            else
            {
                yield return line;
                line = word;
            }
        }
        yield return line;
    }
}
