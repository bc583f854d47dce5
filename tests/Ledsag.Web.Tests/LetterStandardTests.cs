using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Letters;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// What a municipal letter carries, per standard, read from the PDF the citizen receives (pdftotext): the writing
/// unit, the caseworker and direct contact, case number, decision and letter dates, «Med venlig hilsen», «Side x af y»,
/// the postal address on its lines, klagevejledning as each standard says, the grant letter's contents; and that the
/// PDF is tagged for screen readers (PDF/UA: structure tree, language, title).
/// </summary>
public sealed partial class LetterStandardTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    internal static string Run(string tool, string args, byte[] pdf)
    {
        var file = Path.GetTempFileName();
        File.WriteAllBytes(file, pdf);
        try
        {
            using var p = Process.Start(new ProcessStartInfo(tool, tool == "pdftotext" ? $"{args} {file} -" : $"{args} {file}")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8,
            }) ?? throw new InvalidOperationException($"{tool} (Debian package poppler-utils) is needed; scripts/test installs it.");
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            p.ExitCode.ShouldBe(0, p.StandardError.ReadToEnd());
            return text;
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static string Text(byte[] pdf) => Run("pdftotext", "-enc UTF-8", pdf);

    private static string Flat(string s) => string.Join(' ', s.Split((char[])[' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));

    private static int seq;

    private static string NextCpr()
    {
        var n = Interlocked.Increment(ref seq);
        return $"1505{70 + (n % 25):00}-{2000 + (n * 7 % 2999)}";
    }

    /// <summary>A grant in the municipality: citizen with a real address, case, assessment, partshøring, decision.</summary>
    private async Task<(HttpClient Caseworker, Guid Citizen, Guid Case, string Number)> GrantAsync(string m, string address)
    {
        var caseworker = await factory.SignedIn(m, Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Søren Ærø Ågård", address }, HttpStatusCode.Created)).Id();
        var created = await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-04-01", channel = "brev" }, HttpStatusCode.Created);
        var id = created.Id();
        await caseworker.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-04-20", facts = new { } });
        await caseworker.Consult(id, "2026-05-01");
        await caseworker.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01" });
        return (caseworker, citizen, id, created.Str("number"));
    }

    private static async Task<string> LetterAsync(HttpClient client, Guid citizen, string kind)
    {
        var letter = (await client.Get($"/api/letters?citizenId={citizen}")).EnumerateArray().First(l => l.Str("kind") == kind);
        var pdf = await client.GetByteArrayAsync(letter.Str("pdf"));
        WriteSample(kind, pdf);
        return Text(pdf);
    }

    /// <summary>Keeps one PDF per letter kind under TestResults/letters; scripts/render-letters turns them into the PNGs in docs/letters.</summary>
    internal static void WriteSample(string kind, byte[] pdf)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "TestResults", "letters");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"{kind}.pdf"), pdf);
    }

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"\b[A-Z]{2,}_[A-Z_]{2,}\b")]
    private static partial Regex ReasonCode();

    [Theory]
    [InlineData("ballerup", "Center for Voksne og Sundhed", "Hold-an Vej 7", "social-adm@balk.dk")]
    [InlineData("lejre", "Lejre Kommune, Center for Job & Social", "Møllebjergvej 4", "Sikkerjobcenter@lejre.dk")]
    [InlineData("haderslev", "Haderslev Kommune, Handicap, Socialpsykiatri og Myndighed", null, null)]
    [InlineData("bronderslev", null, null, null)]
    [InlineData("gribskov", null, null, null)]
    public async Task TheGrantLetter_CarriesWhatAMunicipalLetterDoes_AndTheKlagevejledningTheStandardGives(string m, string? complaintUnit, string? street, string? email)
    {
        var (caseworker, citizen, _, number) = await GrantAsync(m, "Kærvej 7, 2. th., 2750 Ballerup");
        var raw = await LetterAsync(caseworker, citizen, "grant");
        var lines = raw.Split('\n').Select(l => l.Trim()).ToList();
        var text = Flat(raw);
        var standard = factory.Standard(m);

        // The head: the writing unit (cited from the standard), the caseworker and direct contact, case number, dates.
        text.ShouldContain(standard.Name);
        text.ShouldContain(standard.Get<Contact>(Parameters.LetterSender, new NodaTime.LocalDate(2026, 6, 15)).Value.Unit);
        text.ShouldContain($"Sagsnummer: {number}");
        text.ShouldContain("Sagsbehandler: Test Sagsbehandler");
        text.ShouldContain("Telefon: 70 11 22 33");
        text.ShouldContain("E-mail: sagsbehandler@kommune.test");
        text.ShouldContain("Dato: 15. juni 2026");
        text.ShouldContain("Afgørelsesdato: 20. maj 2026");
        // The postal address: the street on its line, then postal code and town.
        lines.ShouldContain("Kærvej 7, 2. th.");
        lines.ShouldContain("2750 Ballerup");
        text.ShouldContain("Med venlig hilsen Test Sagsbehandler");
        Regex.Matches(text, @"Side (\d+) af (\d+)").Select(x => x.Value).ShouldNotBeEmpty();
        var pages = Regex.Matches(text, @"Side (\d+) af (\d+)").Select(x => (int.Parse(x.Groups[1].Value, null), int.Parse(x.Groups[2].Value, null))).ToList();
        pages.Select(p => p.Item1).ShouldBe(Enumerable.Range(1, pages[0].Item2));

        // Klagevejledning: oral or written, and where, as the standard says.
        text.ShouldContain("Klagevejledning");
        text.ShouldContain("mundtligt eller skriftligt");
        text.ShouldContain("senest 4 uger efter, at du har modtaget afgørelsen");
        if (complaintUnit is null)
        {
            text.ShouldContain($"Du klager til {standard.Name} ved at kontakte din sagsbehandler");
        }
        else
        {
            text.ShouldContain($"Du kan klage til din sagsbehandler eller til: {complaintUnit}");
        }
        if (street is not null)
        {
            text.ShouldContain(street);
        }
        if (email is not null)
        {
            text.ShouldContain($"E-mail: {email}");
        }
        if (m == "lejre")
        {
            text.ShouldContain("Borgerrådgiveren");
            text.ShouldContain("Lejrevej 15 4320 Lejre");
        }
        else
        {
            text.ShouldNotContain("borgerrådgiver", Shouldly.Case.Insensitive);
        }

        // The grant letter's contents.
        text.ShouldContain("Opsparing af timer");
        text.ShouldContain("Det kræver en aftale med kommunen");
        text.ShouldContain("Tilskud til udgifter");
        text.ShouldContain("serviceloven § 97 stk. 7");
        text.ShouldContain("Det dækker ordningen ikke");
        text.ShouldContain("Socialpædagogisk støtte"); // the law's own exclusion (BEK 235/2012 § 4), in every standard
        switch (m)
        {
            case "haderslev":
                text.ShouldContain("Formål og mål");
                text.ShouldContain("deltage i selvvalgte fritidsaktiviteter og derved blive integreret i samfundet");
                text.ShouldContain("Pligt til at oplyse om ændringer");
                text.ShouldContain("ændringer i din funktionsevne");
                break;
            case "bronderslev":
                text.ShouldContain("Husligt arbejde"); // «omfatter derfor fx ikke praktisk hjælp i hjemmet»
                text.ShouldContain("sandsynliggjorte udgifter");
                break;
            case "ballerup":
                text.ShouldContain("Som en del af behandlingen af din ansøgning vejleder vi dig her om det faste beløb");
                text.ShouldContain("Besøgsven");
                break;
            case "gribskov":
                text.ShouldContain("Du skal kunne dokumentere dine udgifter");
                break;
        }
        if (m != "haderslev")
        {
            text.ShouldNotContain("Pligt til at oplyse om ændringer");
        }

        // Nothing a citizen reads carries code words, reason codes, the engine or ISO dates; each heading once.
        IsoDate().IsMatch(text).ShouldBeFalse(text);
        ReasonCode().IsMatch(text).ShouldBeFalse(text);
        text.ShouldNotContain("Motorens");
        text.ShouldNotContain(".txt");
        Regex.Matches(text, "Klagevejledning").Count.ShouldBe(1);
    }

    [Fact]
    public async Task ACaseworker_SetsTheirDirectContact_AndItIsPrintedOnTheLettersTheySign()
    {
        var caseworker = await factory.SignedIn("lejre", Role.Caseworker);
        (await caseworker.Post("/api/me/contact", new { phone = "tlf. ring", email = "ikke en adresse" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ShouldBe(["email", "phone"]);
        await caseworker.Post("/api/me/contact", new { phone = "46 46 12 34", email = "sara@lejre.dk" });
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Lis Lejre", address = "Bygaden 3, 4320 Lejre" }, HttpStatusCode.Created)).Id();
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-10", channel = "telefon" }, HttpStatusCode.Created);
        var text = Flat(await LetterAsync(caseworker, citizen, "privacy_notice"));
        text.ShouldContain("Telefon: 46 46 12 34");
        text.ShouldContain("E-mail: sara@lejre.dk");
        // Without their own, the unit's contact from the standard (Lejre: 46 46 46 46).
        await caseworker.Post("/api/me/contact", new { });
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-11", channel = "telefon" }, HttpStatusCode.Created);
        var letters = (await caseworker.Get($"/api/letters?citizenId={citizen}")).EnumerateArray().Where(l => l.Str("kind") == "privacy_notice").ToList();
        var texts = await Task.WhenAll(letters.Select(async l => Flat(Text(await caseworker.GetByteArrayAsync(l.Str("pdf"))))));
        texts.ShouldContain(t => t.Contains("Telefon: 46 46 46 46", StringComparison.Ordinal) && t.Contains("E-mail: Sikkerjobcenter@lejre.dk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReducedGrant_SaysWhyItIsFewerThan15Hours_AsAPartialRefusal_StatingTheReasonOnce()
    {
        var caseworker = await factory.SignedIn("gribskov", Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Bo Botilbud", address = "Skovvej 2, 3200 Helsinge" }, HttpStatusCode.Created)).Id();
        var id = (await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-04-01", channel = "brev" }, HttpStatusCode.Created)).Id();
        await caseworker.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-04-20", facts = new { livesInBotilbud = true, botilbudCompanionHoursPerMonth = 10 } });
        await caseworker.Consult(id, "2026-05-01");
        await caseworker.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-05-20", outcome = "grant", start = "2026-06-01", justification = "Du bor i botilbud med ledsagelse." });
        var text = Flat(await LetterAsync(caseworker, citizen, "grant"));
        text.ShouldContain("Delvist afslag");
        text.ShouldContain("Du får 8 timer og ikke de fulde 15 timer om måneden");
        text.ShouldContain("Det bygger på: Gribskov Kommunes kvalitetsstandard: «Din ledsagelse i forbindelse med botilbuddet");
        text.ShouldNotContain(".txt");
    }

    [Fact]
    public async Task AtIntake_TheCitizenGetsTheNoticeOnHowPersonalDataIsProcessed()
    {
        var caseworker = await factory.SignedIn("haderslev", Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Ida Indtag", address = "Torvet 1, 6100 Haderslev" }, HttpStatusCode.Created)).Id();
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-10", channel = "telefon" }, HttpStatusCode.Created);
        var text = Flat(await LetterAsync(caseworker, citizen, "privacy_notice"));
        text.ShouldContain("Sådan behandler vi dine personoplysninger");
        text.ShouldContain("databeskyttelsesforordningen artikel 13 og 14");
        text.ShouldContain("Haderslev Kommune er dataansvarlig");
        text.ShouldContain("databeskyttelsesrådgiver");
        text.ShouldContain("Datatilsynet");
        text.ShouldContain("Vi har modtaget din ansøgning om ledsageordning 10. juni 2026");
    }

    [Fact]
    public async Task Gribskov_OffersAnActionPlan_AndTheOfferAndTheAnswerAreRecordedOnTheCase()
    {
        var caseworker = await factory.SignedIn("gribskov", Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Hanne Handleplan" }, HttpStatusCode.Created)).Id();
        var id = (await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "borger.dk" }, HttpStatusCode.Created)).Id();
        var problem = await caseworker.Post($"/api/cases/{id}/action-plan", new { offeredOn = "2026-05-01", answer = "maybe" }, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("offeredOn", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("answer", out _).ShouldBeTrue();
        var view = await caseworker.Post($"/api/cases/{id}/action-plan", new { offeredOn = "2026-06-05", answer = "accepted", note = "Ønsker fokus på at komme ud." });
        var step = view.GetProperty("steps").EnumerateArray().Single(s => s.Str("kind") == "action_plan");
        step.Str("title").ShouldContain("handleplan");
        step.GetProperty("data").Str("answerText").ShouldBe("Borgeren ønsker en handleplan");
    }

    [Fact]
    public async Task EveryLetter_IsATaggedPdf_WithTitleLanguageAndAStructureTreeInReadingOrder()
    {
        var (caseworker, citizen, _, _) = await GrantAsync("ballerup", "Kærvej 7, 2750 Ballerup");
        var letter = (await caseworker.Get($"/api/letters?citizenId={citizen}")).EnumerateArray().First(l => l.Str("kind") == "grant");
        var pdf = await caseworker.GetByteArrayAsync(letter.Str("pdf"));
        var info = Run("pdfinfo", "", pdf);
        info.ShouldMatch(@"Tagged:\s+yes"); // the catalog's /MarkInfo says Marked true
        info.ShouldMatch($@"Title:\s+{Regex.Escape(letter.Str("subject"))}");
        var raw = Encoding.Latin1.GetString(pdf);
        raw.ShouldMatch(@"/Lang\s*\(da\)");
        raw.ShouldMatch(@"/DisplayDocTitle\s+true");
        var xmp = Run("pdfinfo", "-meta", pdf);
        xmp.ShouldContain("<pdfuaid:part>1</pdfuaid:part>");
        // The structure tree: a document with the subject as its heading, then the body in reading order.
        var tree = Run("pdfinfo", "-struct-text", pdf);
        tree.ShouldContain("Document");
        var h1 = tree.IndexOf("H1", StringComparison.Ordinal);
        h1.ShouldBeGreaterThan(0);
        tree.IndexOf("\"Afgørelse\"", StringComparison.Ordinal).ShouldBeGreaterThan(h1);
        tree.IndexOf("\"Klagevejledning\"", StringComparison.Ordinal).ShouldBeGreaterThan(tree.IndexOf("\"Afgørelse\"", StringComparison.Ordinal));
        tree.ShouldContain("H2");
        // «Det dækker ordningen ikke» is one list of several items, not one list per item.
        var structure = Run("pdfinfo", "-struct", pdf).Split('\n').Select(l => l.Trim()).ToList();
        structure.Count(l => l.StartsWith("LI ", StringComparison.Ordinal)).ShouldBeGreaterThan(structure.Count(l => l.StartsWith("L ", StringComparison.Ordinal)) + 3);
        // Words either side of a line break stay apart for a screen reader.
        tree.ShouldNotContain("hjemmetpå");
    }

    [Fact]
    public void ALongLetter_NeverLeavesAStrayLineOnAPage_AndNumbersItsPages()
    {
        var body = string.Join("\n\n", Enumerable.Range(1, 14).Select(i =>
            $"## Afsnit {i}\n" + string.Join(' ', Enumerable.Repeat($"Dette er afsnit {i}, som fortæller borgeren noget vigtigt om ledsageordningen og om reglerne.", 3 + (i % 4)))));
        var sender = new Contact("Center for Voksne og Sundhed", "Hold-an Vej 7", "2750", "Ballerup", null, "social-adm@balk.dk");
        var pdf = LetterPdf.Render(new LetterContent("Ballerup Kommune", sender, "Søren Ærø Ågård", ["Kærvej 7", "2750 Ballerup"],
            [("Dato", "15. juni 2026")], "Et langt brev", body, ["Test Sagsbehandler", "Center for Voksne og Sundhed"]));
        var total = int.Parse(Regex.Match(Run("pdfinfo", "", pdf), @"Pages:\s+(\d+)").Groups[1].Value, null);
        total.ShouldBeGreaterThan(1);
        for (var page = 1; page <= total; page++)
        {
            var text = Run("pdftotext", $"-enc UTF-8 -f {page} -l {page}", pdf);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l != "\f").ToList();
            lines.ShouldContain($"Ballerup Kommune · Side {page} af {total}");
            lines.Count(l => !l.StartsWith("Ballerup Kommune · Side", StringComparison.Ordinal)).ShouldBeGreaterThan(2, $"page {page}: {text}");
            // A heading is never the last thing on a page.
            var body0 = lines.Where(l => !l.StartsWith("Ballerup Kommune · Side", StringComparison.Ordinal)).ToList();
            body0[^1].ShouldNotStartWith("Afsnit ");
        }
        Flat(Run("pdftotext", $"-enc UTF-8 -f {total} -l {total}", pdf)).ShouldContain("Med venlig hilsen Test Sagsbehandler");
        // A word wider than the line is broken, not cut off; an address typed on lines keeps them.
        var url = "https://www.ballerup.dk/" + new string('a', 260) + "/slut";
        var wide = LetterPdf.Render(new LetterContent("Ballerup Kommune", sender, new string('Ø', 120), LetterService.PostalLines("c/o Hansen\nHovedgaden 3\n2750 Ballerup"),
            [("Dato", "15. juni 2026")], "Et bredt brev", $"Læs mere på {url}", ["Test Sagsbehandler"]));
        var wideLines = Run("pdftotext", "-enc UTF-8", wide).Split('\n').Select(l => l.Trim()).ToList();
        string.Concat(wideLines.SkipWhile(l => !l.StartsWith("Læs mere på", StringComparison.Ordinal)).Take(5)).Replace("Læs mere på", "", StringComparison.Ordinal).ShouldStartWith(url);
        wideLines.ShouldContain("c/o Hansen");
        wideLines.ShouldContain("Hovedgaden 3");
        string.Concat(wideLines.Where(l => l.All(c => c == 'Ø') && l.Length > 0)).Length.ShouldBe(120);
        LetterService.PostalLines("Kærvej 7, 2. th., 2750 Ballerup").ShouldBe(["Kærvej 7, 2. th.", "2750 Ballerup"]);
    }
}
