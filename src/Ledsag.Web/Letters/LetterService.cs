using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using NodaTime;

namespace Ledsag.Web.Letters;

/// <summary>Puts a letter in the outbox: its text, and the PDF the citizen receives, made once and kept with the case.</summary>
public sealed class LetterService(Standards standards, Today today)
{
    public Letter Add(LedsagDb db, Citizen citizen, Guid? caseId, string kind, string subject, string body, string? dedupKey = null)
    {
        var municipality = standards.For(citizen.MunicipalityId).Name;
        var letter = new Letter
        {
            MunicipalityId = citizen.MunicipalityId, CitizenId = citizen.Id, CaseId = caseId, Kind = kind, Subject = subject, Body = body,
            CreatedAt = today.Now, DedupKey = dedupKey,
        };
        var recipient = citizen.RepresentativeName is { } rep && citizen.RepresentativeKind == "værge"
            ? $"{citizen.Name} v/ værge {rep}" : citizen.Name;
        letter.Pdf = LetterPdf.Render(new LetterContent(municipality, recipient, citizen.Address, Danish.Date(today.Date), subject, body));
        db.Letters.Add(letter);
        return letter;
    }
}

/// <summary>Danish dates and figures for letters and pages.</summary>
public static class Danish
{
    private static readonly string[] Months =
        ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"];

    public static string Date(LocalDate d) => $"{d.Day}. {Months[d.Month - 1]} {d.Year}";

    public static string Month(int month) => Months[month - 1];

    public static string Hours(decimal h) => $"{h.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',')} {(h == 1 ? "time" : "timer")}";

    public static string Kroner(decimal amount) =>
        amount.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture).Replace(",", "·").Replace(".", ",").Replace("·", ".") + " kr.";
}
