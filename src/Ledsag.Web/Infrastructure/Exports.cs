using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace Ledsag.Web.Infrastructure;

/// <summary>A sheet of an export: its name, column headings and rows of cells (text, whole numbers or amounts).</summary>
public sealed record ExportSheet(string Name, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>
/// Writes exports with kept libraries: CSV (semicolon, as Danish Excel and payroll systems read it) with
/// CsvHelper, and xlsx with SpreadCheetah, cell by cell — a semicolon in a name stays in its cell, a line break
/// stays in its xlsx cell and becomes a space in CSV (one record, one line). Text that a spreadsheet would run as
/// a formula (starting with = + - @, a tab or a carriage return) is neutralised with a leading apostrophe in CSV
/// (OWASP, CSV injection); xlsx text cells are never formulas.
/// </summary>
public static class Exports
{
    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture)
    {
        Delimiter = ";", NewLine = "\r\n", InjectionOptions = InjectionOptions.None, HasHeaderRecord = false,
    };

    /// <summary>The sheet as CSV text: text neutralised, amounts with a decimal comma.</summary>
    public static string Csv(ExportSheet sheet)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Config))
        {
            foreach (var h in sheet.Headers)
            {
                csv.WriteField(h);
            }
            csv.NextRecord();
            foreach (var row in sheet.Rows)
            {
                foreach (var cell in row)
                {
                    csv.WriteField(cell switch
                    {
                        null => "",
                        decimal d => Amount(d),
                        int or long => Convert.ToString(cell, CultureInfo.InvariantCulture),
                        _ => Neutralise(Convert.ToString(cell, CultureInfo.InvariantCulture) ?? ""),
                    });
                }
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>A CSV file's rows read back (quoted fields, separators and line breaks inside them as they were).</summary>
    public static List<string[]> ReadCsv(string content)
    {
        using var reader = new CsvReader(new StringReader(content), Config);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.Parser.Count).Select(i => reader.GetField(i) ?? "").ToArray());
        }
        return rows;
    }

    /// <summary>The sheets as an xlsx workbook: headings bold, numbers as numbers, everything else as text.</summary>
    public static async Task XlsxAsync(Stream target, IEnumerable<ExportSheet> sheets, CancellationToken ct = default)
    {
        await using var book = await Spreadsheet.CreateNewAsync(target, cancellationToken: ct);
        var bold = book.AddStyle(new Style { Font = { Bold = true } });
        foreach (var sheet in sheets)
        {
            var options = new WorksheetOptions();
            for (var c = 1; c <= sheet.Headers.Count; c++)
            {
                options.Column(c).Width = 22;
            }
            await book.StartWorksheetAsync(sheet.Name, options, ct);
            await book.AddRowAsync(sheet.Headers.Select(h => new Cell(h, bold)).ToList(), ct);
            foreach (var row in sheet.Rows)
            {
                await book.AddRowAsync(row.Select(v => v switch
                {
                    null => new Cell(),
                    decimal d => new Cell(d),
                    int i => new Cell(i),
                    long l => new Cell(l),
                    _ => new Cell(Convert.ToString(v, CultureInfo.InvariantCulture)),
                }).ToList(), ct);
            }
        }
        await book.FinishAsync(ct);
    }

    /// <summary>An amount or hours with two decimals and a decimal comma.</summary>
    public static string Amount(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',');

    /// <summary>
    /// Text for a CSV cell: line breaks and other control characters become spaces (a payroll system that reads the file
    /// line by line must never see a row the data made), and text a spreadsheet would take as a formula gets a leading
    /// apostrophe (shown as text, never run).
    /// </summary>
    public static string Neutralise(string s)
    {
        var flat = s.Any(Fields.BreaksALine) ? new string(s.Select(ch => Fields.BreaksALine(ch) ? ' ' : ch).ToArray()) : s;
        return flat.Length > 0 && (flat[0] is '=' or '+' or '-' or '@' || s[0] is '\t' or '\r') ? "'" + flat : flat;
    }
}
