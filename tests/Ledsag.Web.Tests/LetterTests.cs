using System.Net;
using Ledsag.Web.Data;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>Every letter kind as a real PDF: its text extracted with pdftotext, æøå intact, klagevejledning in every decision.</summary>
public sealed class LetterTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private static string PdfToText(byte[] pdf) => LetterStandardTests.Text(pdf);

    private static string Flat(string s) => string.Join(' ', s.Split((char[])[' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task EveryLetterKind_IsAPdfWithDanishTextIntact_AndEveryDecisionCarriesKlagevejledning()
    {
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        var admin = await factory.SignedIn("ballerup", Role.Administrator);
        var (citizen, _) = await Arrange.EveryLetter(client, admin);

        var letters = (await client.Get($"/api/letters?citizenId={citizen}")).EnumerateArray().ToList();
        letters.Select(l => l.Str("kind")).Distinct().Order().ShouldBe(
            ["consultation", "delay", "forwarded", "grant", "lapse_reminder", "privacy_notice", "reassessment", "refusal", "subsidy_decision"]);
        foreach (var letter in letters)
        {
            var response = await client.GetAsync(letter.Str("pdf"));
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
            // Saved under a Danish name with a Danish date, no code word («Bevilling 15. juni 2026.pdf»).
            var saved = response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!;
            saved.ShouldEndWith(" 15. juni 2026.pdf", customMessage: letter.Str("kind"));
            saved.ShouldNotContain(letter.Str("kind"), customMessage: letter.Str("kind"));
            var pdf = await response.Content.ReadAsByteArrayAsync();
            pdf.Take(5).ShouldBe("%PDF-"u8.ToArray());
            LetterStandardTests.WriteSample(letter.Str("kind"), pdf);
            var text = Flat(PdfToText(pdf));
            text.ShouldContain("Ballerup Kommune");
            text.ShouldContain("Søren Ærø Ågård", customMessage: letter.Str("kind"));
            text.ShouldContain(Flat(letter.Str("subject")), customMessage: letter.Str("kind"));
            if (letter.Str("kind") == "reassessment")
            {
                // Upheld: the complaint goes on to Ankestyrelsen by itself; no new complaint to the municipality.
                text.ShouldContain("Din klage går videre til Ankestyrelsen");
                text.ShouldNotContain("Klagevejledning");
            }
            if (letter.Str("kind") is "grant" or "refusal" or "subsidy_decision")
            {
                text.ShouldContain("Klagevejledning", customMessage: letter.Str("kind"));
                text.ShouldContain("senest 4 uger efter, at du har modtaget afgørelsen", customMessage: letter.Str("kind"));
                text.ShouldContain("Ankestyrelsen", customMessage: letter.Str("kind"));
            }
        }
        Flat(PdfToText(await client.GetByteArrayAsync(letters.Single(l => l.Str("kind") == "refusal").Str("pdf"))))
            .ShouldContain("Du har borgerstyret personlig assistance (BPA) efter serviceloven § 96");
        var consultations = new List<string>();
        foreach (var consultation in letters.Where(l => l.Str("kind") == "consultation"))
        {
            consultations.Add(Flat(PdfToText(await client.GetByteArrayAsync(consultation.Str("pdf")))));
        }
        consultations.ShouldContain(t => t.Contains("senest 12. februar 2026")); // Ballerup: 10 days to answer
        Flat(PdfToText(await client.GetByteArrayAsync(letters.Single(l => l.Str("kind") == "delay").Str("pdf"))))
            .ShouldContain("sagsbehandlingstid på 40 hverdage");

        var other = await factory.SignedIn("lejre", Role.Caseworker);
        await other.Get(letters[0].Str("pdf"), HttpStatusCode.NotFound);
    }
}

/// <summary>The citizen's 12-month history: a lapse at the end of a month counts in that month.</summary>
public sealed class HistoryTests
{
    [Fact]
    public void ALapseOnTheLastDayOfAMonth_CountsInThatMonth()
    {
        var grant = new Ledsag.Domain.Hours.Grant(new NodaTime.LocalDate(2026, 1, 1), null, Ledsag.Domain.Minutes.FromHours(15));
        var ledger = new Ledsag.Domain.Hours.HoursLedger(grant, [new Ledsag.Domain.Hours.LedgerRules(new NodaTime.LocalDate(2000, 1, 1), Ledsag.Domain.Hours.DrawingOrder.OldestFirst, true, 6)]);
        ledger.Use(new NodaTime.LocalDate(2026, 2, 3), Ledsag.Domain.Minutes.FromHours(4));
        var history = Features.GrantEndpoints.History(ledger, new NodaTime.LocalDate(2026, 3, 10), 3);
        history.Select(m => (m.Month, m.Used, m.Lapsed)).ShouldBe([("2026-01", 0m, 15m), ("2026-02", 4m, 11m), ("2026-03", 0m, 0m)]);
    }
}
