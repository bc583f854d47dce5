using System.Text.RegularExpressions;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using NodaTime;

namespace Ledsag.Web.Letters;

/// <summary>
/// Puts a letter in the outbox: its text, and the PDF the citizen receives, made once and kept with the case.
/// The PDF carries what a Danish municipal letter always does: the writing unit and its address (cited from the
/// standard), the caseworker's name and direct contact, the case number, the letter's date and the decision's.
/// </summary>
public sealed partial class LetterService(Standards standards, Today today)
{
    /// <summary>
    /// Adds the letter and its PDF. <c>decided</c> is the day a decision was made, when the letter carries one (it may be
    /// before the letter's date); <c>signedBy</c> signs a letter that belongs to no case (a subsidy decision) — a case's
    /// letters are signed by its caseworker; <c>dated</c> is the day the letter was sent, when it is recorded afterwards.
    /// </summary>
    public Letter Add(LedsagDb db, Citizen citizen, Guid? caseId, string kind, string subject, string body, string? dedupKey = null,
        LocalDate? decided = null, Guid? signedBy = null, LocalDate? dated = null)
    {
        var standard = standards.For(citizen.MunicipalityId);
        body = CitableSources(standard, body);
        var letter = new Letter
        {
            MunicipalityId = citizen.MunicipalityId, CitizenId = citizen.Id, CaseId = caseId, Kind = kind, Subject = subject, Body = body,
            CreatedAt = today.Now, DedupKey = dedupKey,
        };
        var sender = standard.Get<Contact>(Parameters.LetterSender, today.Date).Value;
        var @case = caseId is { } id ? db.Cases.Find(id) : null;
        var signerId = @case?.CaseworkerId ?? signedBy;
        var signer = signerId is { } s ? db.Users.Find(s) : null;
        if (signer is not null && !Signs(signer))
        {
            signer = null;
        }

        // A letter recorded as sent on an earlier day (a partshøring sent by post last week) carries that day.
        var facts = new List<(string, string)> { ("Dato", Danish.Date(dated is { } sent && sent < today.Date ? sent : today.Date)) };
        if (@case is not null)
        {
            facts.Add(("Sagsnummer", @case.Number));
        }
        if (decided is { } d)
        {
            facts.Add(("Afgørelsesdato", Danish.Date(d)));
        }
        letter.Pdf = Render(standard, sender, signer, facts, Recipient(citizen), citizen.Address, subject, body);
        db.Letters.Add(letter);
        return letter;
    }

    /// <summary>Whether <paramref name="user"/> signs letters: staff who decide, never a companion's or citizen's account.</summary>
    public static bool Signs(User user) => user.Role is Role.Caseworker or Role.Administrator or Role.Finance;

    /// <summary>Whom a letter is addressed to: the citizen, and their guardian (værge) where they have one.</summary>
    public static string Recipient(Citizen citizen) =>
        citizen.RepresentativeName is { } rep && citizen.RepresentativeKind == "værge" ? $"{citizen.Name} v/ værge {rep}" : citizen.Name;

    /// <summary>A document to the citizen that is not a letter in the outbox (the art. 15 copy): the same head, dated today.</summary>
    public byte[] Document(string municipalityId, string recipient, string? address, string subject, string body)
    {
        var standard = standards.For(municipalityId);
        var sender = standard.Get<Contact>(Parameters.LetterSender, today.Date).Value;
        return Render(standard, sender, null, [("Dato", Danish.Date(today.Date))], recipient, address, subject, body);
    }

    /// <summary>
    /// The head's contact lines and the signature, the same for every letter and document: the signer's name and direct
    /// phone and e-mail, or the unit's from the standard; the unit, and the municipality where the unit's name lacks it.
    /// </summary>
    private static byte[] Render(MunicipalStandard standard, Contact sender, User? signer, List<(string, string)> facts, string recipient, string? address,
        string subject, string body)
    {
        if (signer is not null)
        {
            facts.Add(("Sagsbehandler", signer.DisplayName));
        }
        if ((signer?.Phone ?? sender.Phone) is { } phone)
        {
            facts.Add(("Telefon", phone));
        }
        if ((signer?.Email ?? sender.Email) is { } email)
        {
            facts.Add(("E-mail", email));
        }
        var signature = new List<string>();
        if (signer is not null)
        {
            signature.Add(signer.DisplayName);
        }
        signature.Add(sender.Unit);
        if (!sender.Unit.Contains(standard.Name, StringComparison.OrdinalIgnoreCase))
        {
            signature.Add(standard.Name);
        }
        return LetterPdf.Render(new LetterContent(standard.Name, sender, recipient, PostalLines(address), facts, subject, body, signature));
    }

    /// <summary>
    /// A citizen reads no file names: a source quoted from the standard's file («gribskov.txt: «…»») is cited as the
    /// municipality's quality standard («Gribskov Kommunes kvalitetsstandard: «…»»).
    /// </summary>
    public static string CitableSources(Domain.Standards.MunicipalStandard standard, string text) =>
        SourceFile().Replace(text, $"{standard.Name}s kvalitetsstandard");

    [GeneratedRegex(@"\b[a-z0-9_]+\.(txt|yaml)\b")]
    private static partial Regex SourceFile();

    /// <summary>
    /// A free-text address as postal lines: the street (with floor and door) on one line, then «2750 Ballerup»
    /// («Kærvej 7, 2. th., 2750 Ballerup» → «Kærvej 7, 2. th.» / «2750 Ballerup»); an address typed on lines keeps them.
    /// </summary>
    public static IReadOnlyList<string> PostalLines(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return [];
        }
        var typed = address.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (typed.Length > 1)
        {
            return typed; // written on lines already («c/o Hansen», «Hovedgaden 3», «2750 Ballerup»; an address abroad): kept as written
        }
        var flat = string.Join(' ', address.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        var m = PostalCode().Match(flat);
        return m.Success
            ? [m.Groups["street"].Value.TrimEnd(',', ' '), $"{m.Groups["code"].Value} {m.Groups["town"].Value.Trim()}"]
            : [flat];
    }

    [GeneratedRegex(@"^(?<street>.+?)[,\s]+(?<code>\d{4})\s+(?<town>\D.*)$")]
    private static partial Regex PostalCode();
}

/// <summary>Danish dates and figures for letters and pages.</summary>
public static class Danish
{
    private static readonly string[] Months =
        ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"];

    public static string Date(LocalDate d) => $"{d.Day}. {Months[d.Month - 1]} {d.Year}";

    public static string Month(int month) => Months[month - 1];

    /// <summary>The text with its first letter upper-case («bevilget» → «Bevilget»), for a value that starts a table cell.</summary>
    public static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>«a», «a og b», «a, b og c».</summary>
    public static string List(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} og {items[^1]}";

    /// <summary>Whole days from one date to another (a NodaTime subtraction is years, months and days apart: 2 December to 7 May is 156 days, not «5»).</summary>
    public static int DaysBetween(LocalDate from, LocalDate to) => Period.Between(from, to, PeriodUnits.Days).Days;

    public static string Hours(decimal h) => $"{h.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',')} {(h == 1 ? "time" : "timer")}";

    public static string Kroner(decimal amount) =>
        amount.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture).Replace(",", "·").Replace(".", ",").Replace("·", ".") + " kr.";
}
