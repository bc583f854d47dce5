using System.Text;
using Shouldly;
using Xunit;

namespace Ledsag.Cli.Tests;

/// <summary>How <c>ledsag import</c> reads a CSV file: quoting, row numbers, encodings, separators and blank lines.</summary>
public sealed class ImportCsvTests : IDisposable
{
    private static readonly string[] Columns = ["cpr", "navn", "adresse", "km"];
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(int Row, string[] Fields)> ReadAll(CsvRecords records)
    {
        var rows = new List<(int, string[])>();
        while (records.Read())
        {
            rows.Add((records.Row, [.. records.Fields]));
        }
        return rows;
    }

    private string Bytes(string name, byte[] bytes)
    {
        var file = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    [Fact]
    public void QuotedFields_KeepSemicolonsLineBreaksAndDoubledQuotes_AndEachRecordIsOneRow()
    {
        var file = _dir.Write("a.csv", "cpr;navn;adresse\r\n1; \"Bo \"\"B\"\" Berg\" ;\"Åvej 1; 2. th.\r\n4000 Roskilde\"\r\n2;Eva;Vej 2\r\n");
        var errors = new List<ImportCommand.RowError>();
        using var records = CsvRecords.Open(file, Columns, ["cpr"], errors);
        errors.ShouldBeEmpty();
        records.Delimiter.ShouldBe(";");
        records.Read().ShouldBeTrue();
        records.Row.ShouldBe(2);
        records["navn"].ShouldBe("Bo \"B\" Berg");
        records["adresse"].ShouldBe("Åvej 1; 2. th.\r\n4000 Roskilde");
        records["km"].ShouldBeNull();
        records.Read().ShouldBeTrue();
        records.Row.ShouldBe(3); // the fourth line of the file, the third row in Excel
        records["adresse"].ShouldBe("Vej 2");
        records.Read().ShouldBeFalse();
        records.Count.ShouldBe(2);
    }

    [Fact]
    public void Header_UnknownMissingAndTwiceNamedColumns_AreRow1Errors_AndAFejlColumnIsIgnored()
    {
        var errors = new List<ImportCommand.RowError>();
        using (CsvRecords.Open(_dir.Write("h.csv", "CPR ; Navn;skostørrelse;navn;fejl\n1;2;3;4;5\n"), Columns, ["cpr", "adresse"], errors))
        {
        }
        errors.ShouldBe([
            new ImportCommand.RowError(1, "skostørrelse", "ukendt kolonne (kendte: cpr, navn, adresse, km)"),
            new ImportCommand.RowError(1, "navn", "kolonnen står der to gange"),
            new ImportCommand.RowError(1, "adresse", "kolonnen mangler"),
        ]);
        Should.Throw<FormatException>(() => CsvRecords.Open(_dir.Write("tom.csv", "\r\n\r\n"), Columns, [], []));
    }

    [Fact]
    public void Windows1252_IsRecognisedByTheWholeFile_EvenWhenItsFirstLetterIsPastTheFirst64Kilobytes()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = "cpr;navn\r\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i};Borger {i}\r\n")) + "9;Søren Ærø\r\n";
        var file = Bytes("1252.csv", Encoding.GetEncoding(1252).GetBytes(text));
        new FileInfo(file).Length.ShouldBeGreaterThan(1 << 16);
        using var records = CsvRecords.Open(file, Columns, [], []);
        ReadAll(records)[^1].Fields.ShouldBe(["9", "Søren Ærø"]);
    }

    [Fact]
    public void Utf8_WithALetterSplitBetweenTwoPiecesOfTheFile_IsStillUtf8_WithOrWithoutBom()
    {
        // 'æ' is two bytes in UTF-8; an odd-length start puts one of them across the 64 KB boundary.
        var text = "cpr;navn\n1;" + new string('æ', 40_000) + "\n";
        foreach (var bom in new[] { false, true })
        {
            var file = Bytes($"utf8-{bom}.csv", new UTF8Encoding(bom).GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray());
            using var records = CsvRecords.Open(file, Columns, [], []);
            records.Header.ShouldBe(["cpr", "navn"]);
            ReadAll(records).ShouldHaveSingleItem().Fields[1].ShouldBe(new string('æ', 40_000));
        }
    }

    [Fact]
    public void CommaSeparated_IsRecognisedOnlyWhenTheHeaderIsKnownColumns_AndThenReadsDecimalPoints()
    {
        using (var comma = CsvRecords.Open(_dir.Write("komma.csv", "cpr,navn,km\n1,\"Berg, Bo\",\"2,5\"\n2,Eva,3.5\n"), Columns, [], []))
        {
            comma.Delimiter.ShouldBe(",");
            comma.Read().ShouldBeTrue();
            comma["navn"].ShouldBe("Berg, Bo");
            comma.Number(comma["km"]).ShouldBe(2.5m);
            comma.Read().ShouldBeTrue();
            comma.Number(comma["km"]).ShouldBe(3.5m);
        }
        using (var semicolon = CsvRecords.Open(_dir.Write("semi.csv", "cpr;navn;km\n1;Bo;1.234,5\n"), Columns, [], []))
        {
            semicolon.Delimiter.ShouldBe(";");
            semicolon.Read().ShouldBeTrue();
            semicolon.Number(semicolon["km"]).ShouldBe(1234.5m);
        }
        // A header with an unknown name between commas is not taken for a comma file: it is reported as one unknown column.
        var errors = new List<ImportCommand.RowError>();
        using (CsvRecords.Open(_dir.Write("ukendt.csv", "cpr,navn,skonummer\n"), Columns, [], errors))
        {
        }
        errors.ShouldHaveSingleItem().Column.ShouldBe("cpr,navn,skonummer");
    }

    [Fact]
    public void BlankLines_BetweenRecordsAreRows_AtTheEndTheyAreNot()
    {
        using var records = CsvRecords.Open(_dir.Write("blank.csv", "cpr;navn\n1;A\n\n\n2;B\n\n\r\n"), Columns, [], []);
        ReadAll(records).Select(r => (r.Row, string.Join("|", r.Fields))).ShouldBe([(2, "1|A"), (3, ""), (4, ""), (5, "2|B")]);
        records.Count.ShouldBe(4);
    }

    [Fact]
    public void AQuotedFieldLeftOpen_MarksItsRow_AStrayQuoteInAnUnquotedFieldIsKeptAsText()
    {
        using var records = CsvRecords.Open(_dir.Write("q.csv", "cpr;navn;adresse\n1;A;Åvej \"Gamle\" 1\n2;\"B;Vej 2\n3;C;Vej 3\n"), Columns, [], []);
        records.Read().ShouldBeTrue();
        records["adresse"].ShouldBe("Åvej \"Gamle\" 1");
        records.BadQuotes.ShouldBeFalse();
        records.Read().ShouldBeTrue();
        records.Row.ShouldBe(3);
        records.BadQuotes.ShouldBeTrue();
        records.Read().ShouldBeFalse(); // the open quote took in the rest of the file
    }

    [Fact]
    public void AQuoteLeftOpenBeforeMuchMore_IsRefusedWithItsRow_RatherThanBufferingTheRestOfTheFile()
    {
        var file = _dir.Write("lang.csv", "cpr;navn;adresse\n1;A;Vej 1\n2;\"B;Vej 2\n" + string.Concat(Enumerable.Repeat("3;C;Vej 3\n", 20_000)));
        using var records = CsvRecords.Open(file, Columns, [], []);
        records.Read().ShouldBeTrue();
        Should.Throw<CsvHelper.MaxFieldSizeException>(() => records.Read()).Context!.Parser!.Row.ShouldBe(3);
    }
}
