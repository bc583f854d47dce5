using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Ledsag.Cli;

/// <summary>
/// A CSV file as a municipality exports it from Excel, read one record at a time with CsvHelper's parser (RFC 4180:
/// a field in quotes may hold the separator, line breaks and <c>""</c> for a quote), never the whole file at once.
/// UTF-8 (with or without BOM) when the whole file is valid UTF-8, else Windows-1252 (what Danish Excel writes);
/// <c>;</c> as separator, or <c>,</c> when the header line says so beyond doubt. Cells are trimmed; an empty cell is null.
/// </summary>
public sealed class CsvRecords : IDisposable
{
    /// <summary>A column that <c>--skip-invalid</c> adds to FILE.fejl.csv: read and ignored, so a corrected error file imports as it is.</summary>
    public const string ErrorColumn = "fejl";

    /// <summary>The longest field read (three times Excel's cell limit): beyond it the file is refused rather than buffered (the message says 100.000).</summary>
    public const int MaxField = 100_000;

    private readonly FileStream _stream;
    private readonly CsvParser _parser;
    private readonly Dictionary<string, int> _columns;
    private string[] _fields = [];
    private string[]? _held;
    private int _heldRow;
    private int _blanksBeforeHeld;
    private int _badQuoteRow;

    private CsvRecords(FileStream stream, CsvParser parser, string delimiter, string[] header, Dictionary<string, int> columns)
    {
        _stream = stream;
        Length = stream.Length;
        _parser = parser;
        Delimiter = delimiter;
        Header = header;
        _columns = columns;
    }

    /// <summary>The separator the file uses: <c>;</c>, or <c>,</c> when the header line holds only known column names separated by commas.</summary>
    public string Delimiter { get; }

    /// <summary>The header's cells as they stand in the file (trimmed).</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>
    /// The current record's row number as the user sees it in Excel: the header is row 1. A record whose quoted field holds
    /// a line break is one row in Excel, so this is the record's number, not the line's.
    /// </summary>
    public int Row { get; private set; } = 1;

    /// <summary>Records read so far, the header not counted.</summary>
    public int Count { get; private set; }

    /// <summary>The current record's cells as parsed (the quotes taken away, <c>""</c> made <c>"</c>).</summary>
    public IReadOnlyList<string> Fields => _fields;

    /// <summary>How far through the file the reader is, 0–1 (for a progress line).</summary>
    public double Fraction => Length == 0 ? 1 : Math.Min(1, (double)_stream.Position / Length);

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>
    /// A quoted field in the current record that is not closed where a field can end (a missing closing <c>"</c>, or text
    /// after it): then the record may have taken in the lines after it, so it must not be imported as it was read.
    /// </summary>
    public bool BadQuotes => _badQuoteRow == Row;

    /// <summary>
    /// Opens the file and reads its header: unknown columns (not in <paramref name="expected"/>), missing required ones and
    /// columns named twice are added to <paramref name="errors"/> as row 1.
    /// </summary>
    public static CsvRecords Open(string file, IReadOnlyCollection<string> expected, IReadOnlyCollection<string> required, List<ImportCommand.RowError> errors)
    {
        var utf8 = IsUtf8(file);
        var delimiter = DetectDelimiter(file, utf8, expected);
        var stream = OpenStream(file);
        TextReader text;
        if (utf8)
        {
            text = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        else
        {
            SkipUtf8Bom(stream);
            text = new StreamReader(stream, Windows1252, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        }
        var records = (CsvRecords?)null;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter, HasHeaderRecord = false, IgnoreBlankLines = false, TrimOptions = TrimOptions.Trim, MissingFieldFound = null,
            // Excel's cells hold at most 32,767 characters; a longer field is a quote left open taking in the rest of the file.
            MaxFieldSize = MaxField,
            // A stray " inside an unquoted field (Åvej "Gamle" 1) is kept as text, as before; a quoted field that is not
            // closed properly is reported for its row (records is set before the first record is read).
            BadDataFound = args =>
            {
                if (records is not null && args.Field.TrimStart().StartsWith('"'))
                {
                    records._badQuoteRow = args.Context.Parser!.Row;
                }
            },
        };
        var parser = new CsvParser(text, config);
        try
        {
            if (!parser.Read() || IsBlank(parser.Record!))
            {
                throw new FormatException($"{file}: filen er tom");
            }
            var header = parser.Record!.Select(h => h.Trim()).ToArray();
            var names = header.Select(h => h.ToLowerInvariant()).ToList();
            var columns = new Dictionary<string, int>();
            for (var i = 0; i < names.Count; i++)
            {
                if (names[i] == ErrorColumn)
                {
                    continue;
                }
                if (!expected.Contains(names[i]))
                {
                    errors.Add(new ImportCommand.RowError(1, names[i], $"ukendt kolonne (kendte: {string.Join(", ", expected)})"));
                }
                else if (!columns.TryAdd(names[i], i))
                {
                    errors.Add(new ImportCommand.RowError(1, names[i], "kolonnen står der to gange"));
                }
            }
            foreach (var missing in required.Where(r => !names.Contains(r)))
            {
                errors.Add(new ImportCommand.RowError(1, missing, "kolonnen mangler"));
            }
            records = new CsvRecords(stream, parser, delimiter, header, columns);
            return records;
        }
        catch
        {
            parser.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next record. Blank lines between records are rows too (Excel shows them, and they are reported as before);
    /// blank lines at the end of the file are not.
    /// </summary>
    public bool Read()
    {
        if (_blanksBeforeHeld > 0)
        {
            Row = _heldRow - _blanksBeforeHeld--;
            _fields = [];
            Count++;
            return true;
        }
        if (_held is not null)
        {
            (Row, _fields, _held) = (_heldRow, _held, null);
            Count++;
            return true;
        }
        var blanks = 0;
        while (_parser.Read())
        {
            var record = _parser.Record!;
            if (IsBlank(record))
            {
                blanks++;
                continue;
            }
            if (blanks > 0)
            {
                // Only a record after them makes blank lines rows; until then they are counted, never kept.
                (_held, _heldRow, _blanksBeforeHeld) = (record, _parser.Row, blanks);
                return Read();
            }
            (Row, _fields) = (_parser.Row, record);
            Count++;
            return true;
        }
        return false;
    }

    /// <summary>The current record's cell in <paramref name="column"/>, trimmed; null when the column or the cell is empty.</summary>
    public string? this[string column]
    {
        get
        {
            if (!_columns.TryGetValue(column, out var i) || i >= _fields.Length)
            {
                return null;
            }
            var cell = _fields[i].Trim();
            return cell.Length > 0 ? cell : null;
        }
    }

    /// <summary>
    /// A number as the file writes it: in a <c>;</c> file the Danish way (decimal comma, dots between thousands: 1.234,5);
    /// in a <c>,</c> file a number with a decimal comma must be quoted, so a point or a comma is the decimal sign there.
    /// </summary>
    public decimal? Number(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var invariant = Delimiter == "," ? text.Replace(',', '.') : text.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        return decimal.TryParse(invariant, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    public void Dispose() => _parser.Dispose();

    private static readonly Encoding Windows1252 = CodePages(1252);

    private static Encoding CodePages(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    private static FileStream OpenStream(string file) =>
        new(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);

    /// <summary>Whether the whole file is valid UTF-8, checked in 64 KB pieces (a character split between two pieces is carried over).</summary>
    private static bool IsUtf8(string file)
    {
        using var stream = OpenStream(file);
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var buffer = new byte[1 << 16];
        var chars = new char[buffer.Length + 4];
        try
        {
            // GetChars, not GetCharCount: only decoding keeps the decoder's state from one piece to the next.
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
            }
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static void SkipUtf8Bom(FileStream stream)
    {
        Span<byte> start = stackalloc byte[3];
        if (stream.Read(start) < 3 || !start.SequenceEqual("\uFEFF"u8))
        {
            stream.Position = 0;
        }
    }

    /// <summary>
    /// <c>,</c> only when the header line has no <c>;</c> and every comma-separated name is a known column (a <c>;</c> file's
    /// header can never look like that); anything else is read with <c>;</c> and reported as it always was.
    /// </summary>
    private static string DetectDelimiter(string file, bool utf8, IReadOnlyCollection<string> expected)
    {
        using var stream = OpenStream(file);
        if (!utf8)
        {
            SkipUtf8Bom(stream);
        }
        using var reader = new StreamReader(stream, utf8 ? new UTF8Encoding(false) : Windows1252, detectEncodingFromByteOrderMarks: utf8);
        var line = reader.ReadLine();
        if (line is null || line.Contains(';', StringComparison.Ordinal) || !line.Contains(',', StringComparison.Ordinal))
        {
            return ";";
        }
        var names = line.Split(',').Select(n => n.Trim().Trim('"').Trim().ToLowerInvariant());
        return names.All(n => n == ErrorColumn || expected.Contains(n)) ? "," : ";";
    }

    private static bool IsBlank(string[] record) => record.Length == 1 && string.IsNullOrWhiteSpace(record[0]);
}
