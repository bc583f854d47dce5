using Ledsag.Domain.Standards;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.UniversalAccessibility;

namespace Ledsag.Web.Letters;

/// <summary>What a letter says, from whom and to whom: the input of <see cref="LetterPdf.Render"/>.</summary>
/// <param name="Municipality">The municipality's name («Ballerup Kommune»).</param>
/// <param name="Sender">The unit that writes, with its postal address, phone and e-mail as the standard prints them.</param>
/// <param name="RecipientName">The addressee («Søren Ærø Ågård v/ værge …»).</param>
/// <param name="RecipientAddress">The addressee's postal lines, the postal code and town last.</param>
/// <param name="Facts">The letter's reference block (date, case number, decision date, caseworker and direct contact), label and value.</param>
/// <param name="Subject">The subject line, the letter's title.</param>
/// <param name="Body">Paragraphs separated by blank lines; «## » starts a heading, «• » a list item.</param>
/// <param name="Signature">The lines under «Med venlig hilsen»: the caseworker's name, the unit.</param>
public sealed record LetterContent(string Municipality, Contact Sender, string RecipientName, IReadOnlyList<string> RecipientAddress,
    IReadOnlyList<(string Label, string Value)> Facts, string Subject, string Body, IReadOnlyList<string> Signature);

/// <summary>
/// Renders a letter as a tagged A4 PDF (PDF/UA: structure tree in reading order, headings, lists, language
/// <c>da</c>, the subject as the displayed title, page furniture marked as artifacts) with PDFsharp 6.2.4 (MIT)
/// and the embedded DejaVu Sans fonts. SkiaSharp, used before, writes no structure tree, so screen readers
/// could not read its letters in order. Pages carry «Side x af y»; a heading never ends a page, a paragraph
/// never leaves a single line behind or ahead, and the greeting stays with the signature.
/// </summary>
public static class LetterPdf
{
    private const double Width = 595, Height = 842, Margin = 62, Bottom = Height - Margin - 20, LineHeight = 15;
    private const string Family = "DejaVu Sans";
    private static readonly XFont Body = Font(10.5), Small = Font(8.5),
        Heading = Font(12.5, bold: true), Title = Font(13.5, bold: true), Name = Font(15, bold: true);
    private static readonly XBrush Ink = new XSolidBrush(XColor.FromArgb(0x1A, 0x1A, 0x1A)), Grey = new XSolidBrush(XColor.FromArgb(0x4A, 0x4A, 0x4A));

    private static XFont Font(double size, bool bold = false)
    {
        EmbeddedFonts.Install();
        return new XFont(Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
    }

    private enum Kind { Heading, Paragraph, Item, Closing }

    private sealed record Block(Kind Kind, IReadOnlyList<string> Lines, XFont Font, bool SpaceBefore);

    public static byte[] Render(LetterContent letter)
    {
        var blocks = Layout(letter);
        double bodyStart;
        using (var measure = XGraphics.CreateMeasureContext(new XSize(Width, Height), XGraphicsUnit.Point, XPageDirection.Downwards))
        {
            bodyStart = Header(measure, null, letter);
        }
        var pages = Paginate(blocks, bodyStart);
        using var document = new PdfDocument();
        var ua = UAManager.ForDocument(document);
        document.Info.Title = letter.Subject;
        document.Info.Author = letter.Municipality;
        document.Info.Subject = "Ledsageordning efter serviceloven § 97";
        document.Info.Creator = "Ledsag";
        document.Language = "da";
        document.ViewerPreferences.DisplayDocTitle = true;
        var sb = ua.StructureBuilder;

        sb.BeginElement(PdfGroupingElementTag.Document);
        for (var p = 0; p < pages.Count; p++)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromPoint(Width);
            page.Height = XUnit.FromPoint(Height);
            using var gfx = XGraphics.FromPdfPage(page);
            var y = Margin;
            if (p == 0)
            {
                y = Header(gfx, sb, letter);
            }
            var entries = pages[p];
            for (var e = 0; e < entries.Count; e++)
            {
                var (block, lines) = entries[e];
                if (block.SpaceBefore)
                {
                    y += LineHeight * 0.6;
                }
                var item = block.Kind == Kind.Item;
                if (item && (e == 0 || entries[e - 1].Block.Kind != Kind.Item || block.SpaceBefore))
                {
                    sb.BeginElement(PdfBlockLevelElementTag.List); // one list for the items that follow each other
                }
                y = Draw(gfx, sb, block, lines, y);
                if (item && (e == entries.Count - 1 || entries[e + 1].Block.Kind != Kind.Item || entries[e + 1].Block.SpaceBefore))
                {
                    sb.End();
                }
            }
            sb.BeginArtifact();
            var footer = $"{letter.Municipality} · Side {p + 1} af {pages.Count}";
            gfx.DrawString(footer, Small, Grey, (Width - gfx.MeasureString(footer, Small).Width) / 2, Height - (Margin / 2));
            sb.End();
        }
        sb.End();

        document.Info.Keywords = UaPlaceholder;
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return IdentifyAsPdfUa(output.ToArray());
    }

    /// <summary>A placeholder PDFsharp copies into the XMP packet's pdf:Keywords, where the PDF/UA identification is written after saving.</summary>
    private static readonly string UaPlaceholder = new('x', 160);

    /// <summary>What the information dictionary's keywords say once the placeholder is gone (same length, padded).</summary>
    private static readonly string Keywords = "Ledsageordning, serviceloven 97".PadRight(160);

    /// <summary>
    /// PDF/UA requires the XMP metadata to identify the file as PDF/UA (pdfuaid:part 1). PDFsharp 6.2.4 writes the
    /// XMP packet itself when saving and has no way to add to it, so the packet carries a placeholder in pdf:Keywords
    /// that is replaced, byte for byte at the same length, by the identification schema (the placeholder in the
    /// information dictionary becomes the keywords). The offsets of every object stay as PDFsharp wrote them.
    /// </summary>
    private static byte[] IdentifyAsPdfUa(byte[] pdf)
    {
        var latin = System.Text.Encoding.Latin1;
        var text = latin.GetString(pdf);
        var marker = $"<pdf:Keywords>{UaPlaceholder}</pdf:Keywords>";
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        var info = text.IndexOf($"({UaPlaceholder})", StringComparison.Ordinal);
        if (at < 0 || info < 0)
        {
            throw new InvalidOperationException("PDFsharp wrote the metadata differently than expected; the PDF/UA identification could not be added.");
        }
        var identification = "</rdf:Description><rdf:Description rdf:about=\"\" xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"><pdfuaid:part>1</pdfuaid:part>";
        var patched = text[..at] + identification.PadRight(marker.Length) + text[(at + marker.Length)..];
        patched = patched[..(info + 1)] + Keywords + patched[(info + 1 + UaPlaceholder.Length)..];
        return latin.GetBytes(patched);
    }

    /// <summary>The first page's head: sender (left), reference block (right), recipient, subject. Returns where the body starts.</summary>
    private static double Header(XGraphics gfx, StructureBuilder? sb, LetterContent letter)
    {
        var draw = sb is not null;
        void DrawString(string s, XFont font, XBrush brush, double x, double y)
        {
            if (draw)
            {
                gfx.DrawString(s, font, brush, x, y);
            }
        }
        sb?.BeginElement(PdfBlockLevelElementTag.Paragraph);
        // Lines of one element end in a space, so a screen reader does not run the last word of a line into the next.
        DrawString(letter.Municipality + " ", Name, Ink, Margin, Margin + 8);
        var y = Margin + 24;
        var unit = letter.Sender.Unit == letter.Municipality ? [] : new[] { letter.Sender.Unit };
        foreach (var line in unit.Concat(letter.Sender.AddressLines())
                     .Concat(letter.Sender.Phone is { } phone ? [$"Telefon {phone}"] : [])
                     .Concat(letter.Sender.Email is { } mail ? [mail] : []))
        {
            DrawString(line + " ", Small, Grey, Margin, y);
            y += 11;
        }
        sb?.End();

        // The reference block, right: one «Label: value» line each, so it reads (and extracts) as written.
        const double factsX = 360;
        var fy = Margin + 8;
        foreach (var (label, value) in letter.Facts)
        {
            sb?.BeginElement(PdfBlockLevelElementTag.Paragraph);
            foreach (var part in Wrap(gfx, $"{label}: {value}", Small, Width - Margin - factsX))
            {
                DrawString(part + " ", Small, Ink, factsX, fy);
                fy += 11;
            }
            sb?.End();
        }

        var ry = Math.Max(Math.Max(y, fy) + 24, 170);
        sb?.BeginElement(PdfBlockLevelElementTag.Paragraph);
        var recipient = new[] { letter.RecipientName }.Concat(letter.RecipientAddress).SelectMany(l => Wrap(gfx, l, Body, Width - (2 * Margin))).ToList();
        foreach (var (line, i) in recipient.Select((l, i) => (l, i)))
        {
            DrawString(i < recipient.Count - 1 ? line + " " : line, Body, Ink, Margin, ry);
            ry += LineHeight;
        }
        sb?.End();

        ry += 34;
        sb?.BeginElement(PdfBlockLevelElementTag.Heading1);
        foreach (var line in Wrap(gfx, letter.Subject, Title, Width - (2 * Margin)))
        {
            DrawString(line + " ", Title, Ink, Margin, ry);
            ry += LineHeight + 3;
        }
        sb?.End();
        return ry + 8;
    }

    private static double Draw(XGraphics gfx, StructureBuilder sb, Block block, IReadOnlyList<string> lines, double y)
    {
        string Spaced(int i) => i < lines.Count - 1 ? lines[i] + " " : lines[i];
        switch (block.Kind)
        {
            case Kind.Heading:
                y += 4;
                sb.BeginElement(PdfBlockLevelElementTag.Heading2);
                for (var i = 0; i < lines.Count; i++)
                {
                    gfx.DrawString(Spaced(i), block.Font, Ink, Margin, y);
                    y += LineHeight + 2;
                }
                sb.End();
                return y;
            case Kind.Item:
                // The list (L) around consecutive items is opened and closed by the page loop.
                sb.BeginElement(PdfBlockLevelElementTag.ListItem);
                sb.BeginElement(PdfBlockLevelElementTag.Label);
                gfx.DrawString("•", block.Font, Ink, Margin + 4, y);
                sb.End();
                sb.BeginElement(PdfBlockLevelElementTag.ListBody);
                for (var i = 0; i < lines.Count; i++)
                {
                    gfx.DrawString(Spaced(i), block.Font, Ink, Margin + 16, y);
                    y += LineHeight;
                }
                sb.End();
                sb.End();
                return y;
            default:
                sb.BeginElement(PdfBlockLevelElementTag.Paragraph);
                for (var i = 0; i < lines.Count; i++)
                {
                    if (lines[i].Length > 0)
                    {
                        gfx.DrawString(Spaced(i), block.Font, Ink, Margin, y);
                    }
                    y += LineHeight;
                }
                sb.End();
                return y;
        }
    }

    /// <summary>The body as blocks of wrapped lines, then «Med venlig hilsen» and the signature as one block.</summary>
    private static List<Block> Layout(LetterContent letter)
    {
        using var measure = XGraphics.CreateMeasureContext(new XSize(Width, Height), XGraphicsUnit.Point, XPageDirection.Downwards);
        var width = Width - (2 * Margin);
        var blocks = new List<Block>();
        foreach (var paragraph in letter.Body.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var first = true;
            foreach (var raw in paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var block = raw.StartsWith("## ", StringComparison.Ordinal) ? new Block(Kind.Heading, Wrap(measure, raw[3..], Heading, width), Heading, first)
                    : raw.StartsWith("• ", StringComparison.Ordinal) ? new Block(Kind.Item, Wrap(measure, raw[2..], Body, width - 16), Body, first)
                    : new Block(Kind.Paragraph, Wrap(measure, raw, Body, width), Body, first);
                blocks.Add(block);
                first = false;
            }
        }
        blocks.Add(new Block(Kind.Closing, ["Med venlig hilsen", "", .. letter.Signature], Body, true));
        return blocks;
    }

    /// <summary>
    /// Splits the blocks into pages: a paragraph splits only with at least two lines on each side; nothing that
    /// introduces what follows ends a page (a heading, a sentence ending in a colon, a list's first item); a list
    /// never leaves its last item alone on the next page; list items and the closing are never split.
    /// </summary>
    private static List<List<(Block Block, IReadOnlyList<string> Lines)>> Paginate(List<Block> blocks, double firstPageBody)
    {
        var pages = new List<List<(Block Block, IReadOnlyList<string> Lines, int Index, bool Whole)>> { new() };
        var y = firstPageBody;
        double Height(Block b, int lines) => (b.SpaceBefore ? LineHeight * 0.6 : 0) + (lines * (b.Kind == Kind.Heading ? LineHeight + 2 : LineHeight)) + (b.Kind == Kind.Heading ? 4 : 0);
        bool FirstItem(int i) => blocks[i].Kind == Kind.Item && (i == 0 || blocks[i - 1].Kind != Kind.Item || blocks[i].SpaceBefore);
        bool LastItem(int i) => blocks[i].Kind == Kind.Item && (i + 1 == blocks.Count || blocks[i + 1].Kind != Kind.Item || blocks[i + 1].SpaceBefore);
        bool Introduces(Block b) => b.Kind == Kind.Heading || (b.Kind == Kind.Paragraph && b.Lines[^1].EndsWith(':'));

        void Break(int next)
        {
            var page = pages[^1];
            var moved = new List<(Block Block, IReadOnlyList<string> Lines, int Index, bool Whole)>();
            void Take()
            {
                moved.Insert(0, page[^1]);
                page.RemoveAt(page.Count - 1);
            }
            if (LastItem(next) && !FirstItem(next) && page.Count > 1 && page[^1].Whole && page[^1].Block.Kind == Kind.Item)
            {
                Take(); // two items of a list go over together, never its last one alone
            }
            while (page.Count > 1 && page[^1].Whole && (Introduces(page[^1].Block) || FirstItem(page[^1].Index)))
            {
                Take();
            }
            pages.Add(moved);
            y = Margin + moved.Sum(m => Height(m.Block, m.Lines.Count));
        }

        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var room = Bottom - y;
            if (Height(block, block.Lines.Count) > room)
            {
                var fits = (int)Math.Floor((room - (block.SpaceBefore ? LineHeight * 0.6 : 0)) / LineHeight);
                if (block.Kind == Kind.Paragraph && block.Lines.Count >= 4 && fits >= 2)
                {
                    var take = Math.Min(fits, block.Lines.Count - 2);
                    pages[^1].Add((block, block.Lines.Take(take).ToList(), i, false));
                    pages.Add([]);
                    var rest = block with { Lines = block.Lines.Skip(take).ToList(), SpaceBefore = false };
                    pages[^1].Add((rest, rest.Lines, i, false));
                    y = Margin + Height(rest, rest.Lines.Count);
                    continue;
                }
                if (pages[^1].Count > 0)
                {
                    Break(i);
                }
            }
            pages[^1].Add((block, block.Lines, i, true));
            y += Height(block, block.Lines.Count);
        }
        return pages.Select(p => p.Select(e => (e.Block, e.Lines)).ToList()).ToList();
    }

    private static List<string> Wrap(XGraphics gfx, string text, XFont font, double width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var whole in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // A word wider than the line (a long web address, a name without spaces) is broken where it must be, never cut off.
            foreach (var word in Pieces(gfx, whole, font, width))
            {
                var candidate = line.Length == 0 ? word : $"{line} {word}";
                if (gfx.MeasureString(candidate, font).Width <= width || line.Length == 0)
                {
                    line = candidate;
                }
                else
                {
                    lines.Add(line);
                    line = word;
                }
            }
        }
        lines.Add(line);
        return lines;
    }

    private static IEnumerable<string> Pieces(XGraphics gfx, string word, XFont font, double width)
    {
        while (gfx.MeasureString(word, font).Width > width && word.Length > 1)
        {
            var take = word.Length - 1;
            while (take > 1 && gfx.MeasureString(word[..take], font).Width > width)
            {
                take--;
            }
            if (char.IsHighSurrogate(word[take - 1]))
            {
                take--; // never split a character in two
            }
            yield return word[..take];
            word = word[take..];
        }
        yield return word;
    }

    /// <summary>The DejaVu Sans faces embedded in the assembly, so letters look the same on any host.</summary>
    private sealed class EmbeddedFonts : IFontResolver
    {
        private static readonly Lock Gate = new();
        private static bool installed;

        public static void Install()
        {
            lock (Gate)
            {
                if (!installed)
                {
                    GlobalFontSettings.FontResolver = new EmbeddedFonts();
                    installed = true;
                }
            }
        }

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) => new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

        public byte[] GetFont(string faceName)
        {
            using var stream = typeof(LetterPdf).Assembly.GetManifestResourceStream($"Ledsag.Fonts.{faceName}.ttf")
                ?? throw new InvalidOperationException($"The font {faceName} is not embedded.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
