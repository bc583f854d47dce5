using System.Globalization;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Ledsag.Web.Letters;

namespace Ledsag.Web.Features;

/// <summary>
/// The finance office's files in plain Danish: what a payroll, NemKonto or cash grant file holds (read back from the
/// file's own text, so a preview shows exactly what the file will say), its period and name, and a claim's status.
/// </summary>
public static class FinanceFiles
{
    public const string Payroll = "payroll";
    public const string SubsidyPayments = "subsidy_payments";
    public const string CashGrantPayments = "cash_grant_payments";

    /// <summary>One line of a file: who, for which period, and the hours or the amount.</summary>
    public sealed record Row(string Name, string? Cpr, string Period, string? Kind, decimal? Hours, decimal? Km, decimal? Amount, string? Employer);

    /// <summary>A file's lines and totals.</summary>
    public sealed record Summary(IReadOnlyList<Row> Rows, decimal Hours, decimal Amount);

    public static string Title(string kind) => kind switch
    {
        Payroll => "Lønfil for ledsagertimer",
        SubsidyPayments => "Udbetaling af tilskud (NemKonto)",
        CashGrantPayments => "Udbetaling af kontant tilskud",
        _ => "Fil",
    };

    /// <summary>The period of a stored file in words: «maj 2026», «2026, fil nr. 1», «2. kvartal 2026, fil nr. 1».</summary>
    public static string Period(ExportFile file)
    {
        var (period, number) = file.Period.Split('/') is [var p, var n] ? (p, n) : (file.Period, null);
        var words = period.Split('-') switch
        {
            [var y, ['K', var q]] => $"{q}. kvartal {y}",
            [var y, var m] when int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12 => $"{Danish.Month(month)} {y}",
            _ => period,
        };
        return number is null ? words : $"{words}, fil nr. {number}";
    }

    /// <summary>The name a downloaded file gets: «Lønfil maj 2026.csv».</summary>
    public static string FileName(ExportFile file)
    {
        var kind = file.Kind switch { Payroll => "Lønfil", SubsidyPayments => "Udbetaling af tilskud", CashGrantPayments => "Kontant tilskud", _ => "Fil" };
        return $"{kind} {Period(file).Replace(',', ' ').Replace("  ", " ", StringComparison.Ordinal)}.csv";
    }

    /// <summary>What a file's text says, line by line (its header row left out).</summary>
    public static Summary Read(string kind, string content)
    {
        var rows = Exports.ReadCsv(content).Skip(1).Select(c => kind switch
        {
            // ledsager_id;navn;cpr;periode;type;timer;km;arbejdsgiver
            Payroll when c.Length >= 8 => new Row(c[1], null, MonthWords(c[3]), c[4] switch
            {
                "løn" => "Løn for perioden",
                "efterregistrering" => "Registreret efter en tidligere periode",
                "korrektion" => "Rettelse af en tidligere lønfil",
                var other => other,
            }, Number(c[5]), Number(c[6]), null, c[7]),
            // cpr;navn;beløb;tekst
            SubsidyPayments when c.Length >= 4 => new Row(c[1], Masked(c[0]), c[3], null, null, null, Number(c[2]), null),
            // cpr;navn;kvartal;timer;timebeløb;beløb;tekst
            CashGrantPayments when c.Length >= 7 => new Row(c[1], Masked(c[0]), QuarterWords(c[2]), null, Number(c[3]), null, Number(c[5]), null),
            _ => new Row(string.Join(" ", c), null, "", null, null, null, null, null),
        }).ToList();
        return new Summary(rows, rows.Sum(r => r.Hours ?? 0), rows.Sum(r => r.Amount ?? 0));
    }

    /// <summary>A claim's status in words: afventer, bevilget, delvist bevilget, afslået, udbetalt.</summary>
    public static string Status(SubsidyClaim c) => c.Status switch
    {
        "submitted" => "afventer",
        "approved" when c.ApprovedAmount < c.ClaimedAmount => "delvist bevilget",
        "approved" => "bevilget",
        "rejected" => "afslået",
        "paid" => "udbetalt",
        _ => c.Status,
    };

    private static string Masked(string cpr) => cpr.Length >= 6 ? CitizenEndpoints.Mask(cpr) : cpr;

    private static decimal? Number(string text) =>
        decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static string MonthWords(string key) =>
        key.Split('-') is [var y, var m] && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12
            ? $"{Danish.Month(month)} {y}"
            : key;

    private static string QuarterWords(string key) => key.Split(" K") is [var y, var q] ? $"{q}. kvartal {y}" : key;
}
